"""Preparing the next batches of a file (reading, checking and, on PostgreSQL, resolving them)
in a thread while the current batch is stored.

An ingest alternates Python work (parsing and checking rows) with waits for the database
(resolution queries, the insert, the commit). The database driver releases the GIL while it
waits, so a thread that prepares the next batches keeps the CPU busy in those waits. The thread
only runs the iterator it is given. Django connections belong to one thread: an iterator that
queries the database gets the thread's own connection (which sees only committed data) and
must close it when it ends.
"""
from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from contextlib import contextmanager

DEPTH = 2  # batches prepared ahead: enough to cover one store, little memory
_DONE = object()


@contextmanager
def read_ahead_of(items: Iterator, *, enabled: bool = True, depth: int = DEPTH):
    """`with read_ahead_of(batches) as batches: for batch in batches: …` — the same items in
    the same order, produced by a thread. An exception of the iterator is raised here, at the
    item where it happened; leaving the block early stops the thread."""
    if not enabled:
        yield items
        return
    ready: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def produce() -> None:
        try:
            for item in items:
                if not _put(ready, (item, None), stop):
                    return
            _put(ready, (_DONE, None), stop)
        except BaseException as error:  # handed to the consumer, raised there
            _put(ready, (_DONE, error), stop)
        finally:
            close = getattr(items, "close", None)
            if close:  # a generator's clean-up runs here, in its own thread, not at garbage collection
                close()

    thread = threading.Thread(target=produce, name="signals-read-ahead", daemon=True)
    thread.start()

    def consume() -> Iterator:
        while True:
            item, error = ready.get()
            if error is not None:
                raise error
            if item is _DONE:
                return
            yield item

    try:
        yield consume()
    finally:
        stop.set()
        thread.join()


def _put(ready: queue.Queue, entry: tuple, stop: threading.Event) -> bool:
    """Put unless the consumer has gone; False when it has."""
    while not stop.is_set():
        try:
            ready.put(entry, timeout=0.1)
            return True
        except queue.Full:
            continue
    return False
