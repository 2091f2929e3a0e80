"""Outbox events written in the business transaction, webhook endpoints, signed delivery with retries."""
