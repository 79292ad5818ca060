"""The store's files, cache key, in-memory store and index, the keeper, remote endpoints."""
