"""Workspaces, users and their tokens: signup, login, logout, teammates, webhook secret."""

from __future__ import annotations

import hashlib
import secrets
import uuid

import msgspec
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from server.accounts.passwords import hash_password, verify_password
from server.core import actors
from server.core.actors import Actor
from server.core.db.base import utcnow
from server.core.db.engine import read_session
from server.core.db.models import AuthToken, User, Workspace
from server.core.errors import Conflict, Forbidden, InvalidInput, Unauthenticated
from server.core.identity import normalize_email
from server.core.unit_of_work import unit_of_work

ROLES = ("owner", "admin", "setter")
AUTO_ASSIGN_MODES = ("off", "round_robin")
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
    auto_assign: str = "off"  # off | round_robin: who gets the leads inbound webhooks create


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

    @property
    def actor(self) -> Actor:
        """The caller, as the actor of the events their request writes."""
        return actors.user(self.user_id, self.name)


def user_view(user: User) -> UserView:
    return UserView(id=str(user.id), name=user.name, email=user.email, role=user.role)


def workspace_view(workspace: Workspace, role: str) -> WorkspaceView:
    secret = workspace.webhook_secret if role in ("owner", "admin") else None
    return WorkspaceView(
        id=str(workspace.id), name=workspace.name, webhook_secret=secret, auto_assign=workspace.auto_assign
    )


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
        raise Conflict("a user with this email already exists", code="email_taken") from None


async def signup(*, workspace_name: str, name: str, email: str, password: str) -> tuple[Workspace, User, str]:
    normalized = _check_credentials(name, email, password)
    if not workspace_name.strip():
        raise InvalidInput("workspace_name must not be empty")
    password_hash = await hash_password(password)
    workspace_id = uuid.uuid4()  # the workspace is what this unit of work creates
    async with unit_of_work(workspace_id) as uow:
        workspace = Workspace(
            id=workspace_id, name=workspace_name.strip(), webhook_secret=new_webhook_secret()
        )
        uow.session.add(workspace)
        await uow.session.flush()
        user = User(
            workspace_id=workspace.id,
            name=name.strip(),
            email=normalized,
            password_hash=password_hash,
            role="owner",
        )
        await _insert_user(uow.session, user)
        token = await issue_token(uow.session, user)
    return workspace, user, token


async def add_member(
    principal: Principal, *, name: str, email: str, password: str, role: str
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
    async with unit_of_work(principal.workspace_id) as uow:
        await _insert_user(uow.session, user)
        token = await issue_token(uow.session, user)
    return user, token


async def login(*, email: str, password: str) -> tuple[Workspace, User, str]:
    normalized = normalize_email(email) or ""
    async with read_session() as session:
        user = await session.scalar(select(User).where(User.email == normalized))
    if not await verify_password(user.password_hash if user else None, password) or user is None:
        raise Unauthenticated("wrong email or password", code="invalid_credentials")
    async with unit_of_work(user.workspace_id) as uow:
        workspace = await uow.session.get_one(Workspace, user.workspace_id)
        token = await issue_token(uow.session, user)
    return workspace, user, token


async def logout(principal: Principal) -> None:
    async with unit_of_work(principal.workspace_id) as uow:
        await uow.session.execute(
            update(AuthToken).where(AuthToken.token_hash == principal.token_hash).values(revoked_at=utcnow())
        )


async def resolve_token(token: str) -> Principal | None:
    async with read_session() as session:
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


async def rotate_webhook_secret(principal: Principal) -> str:
    if principal.role != "owner":
        raise Forbidden("only the owner can rotate the webhook secret")
    secret = new_webhook_secret()
    async with unit_of_work(principal.workspace_id) as uow:
        await uow.session.execute(
            update(Workspace).where(Workspace.id == principal.workspace_id).values(webhook_secret=secret)
        )
    return secret


async def set_auto_assign(principal: Principal, mode: str) -> Workspace:
    """Turn round-robin assignment of new leads on or off (owners only). Turning it on starts the turn over
    at the first setter."""
    if principal.role != "owner":
        raise Forbidden("only the owner can change how new leads are assigned")
    if mode not in AUTO_ASSIGN_MODES:
        raise InvalidInput(f"auto_assign must be one of {', '.join(AUTO_ASSIGN_MODES)}")
    async with unit_of_work(principal.workspace_id) as uow:
        workspace = await uow.session.get_one(Workspace, principal.workspace_id, with_for_update=True)
        if workspace.auto_assign != mode:
            workspace.auto_assign = mode
            workspace.auto_assign_turn = 0
    return workspace


async def me(principal: Principal) -> tuple[User, Workspace]:
    async with read_session() as session:
        user = await session.get_one(User, principal.user_id)
        workspace = await session.get_one(Workspace, principal.workspace_id)
    return user, workspace


async def members(principal: Principal) -> list[User]:
    async with read_session() as session:
        rows = await session.scalars(
            select(User).where(User.workspace_id == principal.workspace_id).order_by(User.created_at)
        )
        return list(rows.all())
