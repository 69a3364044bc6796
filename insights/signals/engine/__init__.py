"""Pure computation for signals: engagement rules (minutes, half-lives, high-value pages) and
the checking of incoming signal rows. Plain data in, plain data out; no Django, no other app."""
