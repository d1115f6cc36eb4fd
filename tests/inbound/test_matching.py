"""Lead matching across payloads: the stable provider id decides who a LinkedIn sender is."""

from __future__ import annotations

import copy
import uuid
from typing import Any

from tests.conftest import Workspace
from tests.helpers import deliver, sample


def linkedin(provider_id: str, profile_url: str, text: str) -> dict[str, Any]:
    body = copy.deepcopy(sample("unipile_message_received_2.json"))
    body["message_id"] = f"msg-{uuid.uuid4().hex}"
    body["message"] = text
    for person in (body["sender"], body["attendees"][0]):
        person["attendee_provider_id"] = provider_id
        person["attendee_profile_url"] = profile_url
    return body


async def test_a_profile_url_shared_with_another_attendee_id_is_another_person(workspace: Workspace) -> None:
    url = f"https://www.linkedin.com/in/vanity-{uuid.uuid4().hex[:8]}"
    first_id, second_id = f"ACoAA-{uuid.uuid4().hex[:10]}", f"ACoAA-{uuid.uuid4().hex[:10]}"
    first = await deliver(workspace, "linkedin", linkedin(first_id, url, "hello from the first owner"))
    # The vanity URL now belongs to someone else (Unipile reports another attendee_provider_id).
    second = await deliver(workspace, "linkedin", linkedin(second_id, url, "hello from the second owner"))
    assert first["status"] == second["status"] == "processed"
    assert first["lead_id"] != second["lead_id"]
    # The first person writes again from a new URL: the attendee id still finds them.
    again = await deliver(
        workspace, "linkedin", linkedin(first_id, f"{url}-renamed", "still the first owner, new URL")
    )
    assert again["lead_id"] == first["lead_id"]
    # And the second keeps being the second.
    later = await deliver(workspace, "linkedin", linkedin(second_id, url, "second owner again"))
    assert later["lead_id"] == second["lead_id"]
