"""The `users` table as the old service's `database.py` declared it; its
`init_db()` ran `Base.metadata.create_all()`. Used to build pre-migration databases."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Column, DateTime, Integer, String, create_engine
from sqlalchemy.orm import declarative_base

LegacyBase = declarative_base()


class LegacyUser(LegacyBase):
    __tablename__ = "users"

    id = Column(Integer, primary_key=True, index=True)
    email = Column(String(255), unique=True, index=True, nullable=False)
    hashed_password = Column(String(255), nullable=False)
    name = Column(String(255), nullable=True)
    is_active = Column(Boolean, default=True)
    is_verified = Column(Boolean, default=False)
    created_at = Column(DateTime, default=datetime.utcnow)
    updated_at = Column(DateTime, default=datetime.utcnow, onupdate=datetime.utcnow)
    last_login = Column(DateTime, nullable=True)
    favorite_voices = Column(JSON, default=list)
    history = Column(JSON, default=list)
    credits = Column(Integer, nullable=True)
    preferences = Column(JSON, default=dict)


def init_db(url: str) -> None:
    """What the old service ran at start-up."""
    engine = create_engine(url)
    LegacyBase.metadata.create_all(bind=engine)
    engine.dispose()
