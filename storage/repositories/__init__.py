"""Repositories: domain terms in, domain objects out."""
