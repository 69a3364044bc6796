"""Signal ingestion: intent, engagement and trigger events, provider adapters, the periodic refresh."""
