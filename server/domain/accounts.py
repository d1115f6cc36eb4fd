"""Workspaces, users and their tokens: signup, login, logout, teammates, webhook secret."""

from __future__ import annotations

import hashlib
import secrets
import uuid

import msgspec
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.db.base import utcnow
from server.db.models import AuthToken, User, Workspace
from server.domain.errors import Conflict, Forbidden, InvalidInput, Unauthenticated
from server.domain.identity import normalize_email
from server.domain.passwords import hash_password, verify_password

ROLES = ("owner", "admin", "setter")
MIN_PASSWORD_LENGTH = 8


class UserView(msgspec.Struct):
    id: str
    name: str
    email: str
    role: str


class WorkspaceView(msgspec.Struct):
    id: str
    name: str
    webhook_secret: str | None = None  # shown to owners and admins only


class Principal(msgspec.Struct, frozen=True):
    """Who is calling: resolved from a bearer token or the session cookie."""

    user_id: uuid.UUID
    workspace_id: uuid.UUID
    role: str
    name: str
    token_hash: str

    @property
    def is_admin(self) -> bool:
        return self.role in ("owner", "admin")


def user_view(user: User) -> UserView:
    return UserView(id=str(user.id), name=user.name, email=user.email, role=user.role)


def workspace_view(workspace: Workspace, role: str) -> WorkspaceView:
    secret = workspace.webhook_secret if role in ("owner", "admin") else None
    return WorkspaceView(id=str(workspace.id), name=workspace.name, webhook_secret=secret)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_webhook_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(24)


def _check_credentials(name: str, email: str, password: str) -> str:
    if not name.strip():
        raise InvalidInput("name must not be empty")
    normalized = normalize_email(email)
    if normalized is None:
        raise InvalidInput("email is not a valid address", code="invalid_email")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidInput(
            f"password must have at least {MIN_PASSWORD_LENGTH} characters", code="weak_password"
        )
    return normalized


async def issue_token(session: AsyncSession, user: User) -> str:
    token = "sd_" + secrets.token_urlsafe(32)
    session.add(AuthToken(token_hash=hash_token(token), user_id=user.id, workspace_id=user.workspace_id))
    return token


async def _insert_user(session: AsyncSession, user: User) -> None:
    session.add(user)
    try:
        await session.flush()
    except IntegrityError:
        await session.rollback()
        raise Conflict("a user with this email already exists", code="email_taken") from None


async def signup(
    session: AsyncSession, *, workspace_name: str, name: str, email: str, password: str
) -> tuple[Workspace, User, str]:
    normalized = _check_credentials(name, email, password)
    if not workspace_name.strip():
        raise InvalidInput("workspace_name must not be empty")
    workspace = Workspace(name=workspace_name.strip(), webhook_secret=new_webhook_secret())
    session.add(workspace)
    await session.flush()
    user = User(
        workspace_id=workspace.id,
        name=name.strip(),
        email=normalized,
        password_hash=await hash_password(password),
        role="owner",
    )
    await _insert_user(session, user)
    token = await issue_token(session, user)
    await session.commit()
    return workspace, user, token


async def add_member(
    session: AsyncSession, principal: Principal, *, name: str, email: str, password: str, role: str
) -> tuple[User, str]:
    if not principal.is_admin:
        raise Forbidden("only owners and admins can add teammates")
    if role not in ("admin", "setter"):
        raise InvalidInput("role must be admin or setter", code="invalid_role")
    normalized = _check_credentials(name, email, password)
    user = User(
        workspace_id=principal.workspace_id,
        name=name.strip(),
        email=normalized,
        password_hash=await hash_password(password),
        role=role,
    )
    await _insert_user(session, user)
    token = await issue_token(session, user)
    await session.commit()
    return user, token


async def login(session: AsyncSession, *, email: str, password: str) -> tuple[Workspace, User, str]:
    normalized = normalize_email(email) or ""
    user = await session.scalar(select(User).where(User.email == normalized))
    if not await verify_password(user.password_hash if user else None, password) or user is None:
        raise Unauthenticated("wrong email or password", code="invalid_credentials")
    workspace = await session.get_one(Workspace, user.workspace_id)
    token = await issue_token(session, user)
    await session.commit()
    return workspace, user, token


async def logout(session: AsyncSession, principal: Principal) -> None:
    await session.execute(
        update(AuthToken).where(AuthToken.token_hash == principal.token_hash).values(revoked_at=utcnow())
    )
    await session.commit()


async def resolve_token(session: AsyncSession, token: str) -> Principal | None:
    row = (
        await session.execute(
            select(User.id, User.workspace_id, User.role, User.name)
            .join(AuthToken, AuthToken.user_id == User.id)
            .where(AuthToken.token_hash == hash_token(token), AuthToken.revoked_at.is_(None))
        )
    ).first()
    if row is None:
        return None
    return Principal(
        user_id=row.id,
        workspace_id=row.workspace_id,
        role=row.role,
        name=row.name,
        token_hash=hash_token(token),
    )


async def rotate_webhook_secret(session: AsyncSession, principal: Principal) -> str:
    if principal.role != "owner":
        raise Forbidden("only the owner can rotate the webhook secret")
    secret = new_webhook_secret()
    await session.execute(
        update(Workspace).where(Workspace.id == principal.workspace_id).values(webhook_secret=secret)
    )
    await session.commit()
    return secret


async def me(session: AsyncSession, principal: Principal) -> tuple[User, Workspace]:
    user = await session.get_one(User, principal.user_id)
    workspace = await session.get_one(Workspace, principal.workspace_id)
    return user, workspace


async def members(session: AsyncSession, principal: Principal) -> list[User]:
    rows = await session.scalars(
        select(User).where(User.workspace_id == principal.workspace_id).order_by(User.created_at)
    )
    return list(rows.all())
