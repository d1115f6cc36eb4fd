"""Realistic demo conversations, one per situation a setter meets, and the people they happen with."""

from __future__ import annotations

from dataclasses import dataclass

FIRST_NAMES = [
    "Dana",
    "Marcus",
    "Priya",
    "Tom",
    "Elena",
    "Jamal",
    "Sofia",
    "Kenji",
    "Grace",
    "Luis",
    "Hannah",
    "Omar",
    "Chloe",
    "Victor",
    "Aisha",
    "Ben",
    "Ingrid",
    "Raj",
    "Mia",
    "Diego",
    "Nora",
    "Ethan",
    "Leila",
    "Sam",
    "Yuki",
    "Paul",
    "Fatima",
    "Jonas",
    "Ava",
    "Carlos",
    "Zoe",
    "Henrik",
]
LAST_NAMES = [
    "Lee",
    "Okafor",
    "Shah",
    "Becker",
    "Rossi",
    "Carter",
    "Nguyen",
    "Tanaka",
    "Walsh",
    "Ortega",
    "Kim",
    "Haddad",
    "Dubois",
    "Petrov",
    "Bello",
    "Murphy",
    "Lindqvist",
    "Mehta",
    "Fischer",
    "Alvarez",
    "Quinn",
]
COMPANIES = [
    "Brightpath Dental",
    "Northwind Logistics",
    "Summit Roofing",
    "Bluewave Fitness",
    "Cedar Legal Group",
    "Harbor Realty",
    "Pinecrest Solar",
    "Atlas HVAC",
    "Lumen Skin Clinic",
    "Ironclad Security",
    "Meadow Vets",
    "Keystone Insurance",
    "Orbit Coworking",
    "Sparrow Bakery Co",
    "Vantage Auto Glass",
]

OUR_OPENER = {
    "email": (
        "Quick question about {company}",
        "Hi {first},\n\nI noticed {company} has been growing fast. "
        "We help teams like yours fill their calendar with qualified appointments "
        "without adding headcount. Worth a 15-minute chat next week?\n\nBest,\nAlex",
    ),
    "sms": (
        None,
        "Hi {first}, Alex here from Setterdesk. Saw {company} is hiring. Open to a quick chat about "
        "booking more appointments?",
    ),
    "linkedin": (
        None,
        "Hi {first}, thanks for connecting! Curious how {company} handles inbound leads today?",
    ),
}


@dataclass(frozen=True)
class Scenario:
    tag: str
    replies: tuple[str, ...]  # the lead's replies, in order (our opener comes first)
    booked: bool = False
    drafted: bool = False  # the demo shows a pending AI draft for this lead


SCENARIOS = [
    Scenario("Interested", ("This sounds interesting. What would it cost for a team of 5?",), drafted=True),
    Scenario("Interested", ("Yes, we've been looking for something like this. Tell me more.",), drafted=True),
    Scenario("Meeting Requested", ("Happy to talk. Could we do Thursday afternoon?",), drafted=True),
    Scenario("Call Requested", ("Can you call me tomorrow around 10? Easier than email.",), drafted=True),
    Scenario(
        "Information Requested", ("Do you have a case study or a deck you can send over?",), drafted=True
    ),
    Scenario(
        "Follow Up",
        ("Busy this week, circle back after the 15th?", "Ok, now is better — what's next?"),
        drafted=True,
    ),
    Scenario("Meeting Booked", ("Great, booked Tuesday 2pm on your calendar link.",), booked=True),
    Scenario("Meeting Booked", ("Confirmed for Monday at 11. Looking forward.",), booked=True),
    Scenario("Meeting Booked", ("Perfect, see you Wednesday. I'll bring our ops lead.",), booked=True),
    Scenario("Objection", ("We already use an agency for this and it's fine.",)),
    Scenario("Objection", ("Honestly the timing is bad, budget is frozen until Q3.",)),
    Scenario("Not Interested", ("Not interested, thanks.",)),
    Scenario("Blacklist", ("Please remove me from your list.",)),
    Scenario("Out of Office", ("I'm out of office until Monday with limited access to email.",)),
    Scenario(
        "Automated Reply", ("Thanks for your message! This is an automated reply; we'll respond soon.",)
    ),
    Scenario("Neutral", ("Who is this?",)),
    Scenario("Snoozed", ("Ping me again next quarter.",)),
    Scenario("New", ()),
]

# The simulator's replies: what a lead might write next.
SIMULATED_REPLIES = [
    "Sounds good, what times do you have this week?",
    "Can you send pricing first?",
    "Not interested at the moment, thanks.",
    "Interested! Could we talk tomorrow?",
    "I'm out of the office until Friday.",
    "What makes you different from the agency we use now?",
    "Please call me at 3pm, I'm free then.",
    "Yes let's do it — send the calendar link.",
    "Stop texting me.",
    "Who gave you my number?",
]
