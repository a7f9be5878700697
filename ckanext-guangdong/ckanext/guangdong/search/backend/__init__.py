"""The embedded PostgreSQL search backend: storage, documents, query translation, execution."""
