"""User-written text in the directory: bios (Markdown), department and position (current and
history), interests and skills tags, contact details, API token names, erasure reasons — on the list,
the search (also the typed query echoed back), profiles, one's own page and the secretariat's pages."""
from __future__ import annotations

from datetime import date
from urllib.parse import quote

from tests import factories
from tests import factories_directory as fd
from tests.security.xss import Planted, XssTarget, packed


def _profile(person, payloads: list[str], i: int, *, chunks: list[str], tags: list[str]) -> None:  # type: ignore[no-untyped-def]
    from core.dates import utcnow
    from core.extensions import db
    from directory import services
    from directory.models import Visibility

    p = payloads[i % len(payloads)]
    services.save_profile(db.session, person, services.ProfileInput(
        bio=chunks[i % len(chunks)], contact_email=f"{p[:60]}@example.jp", contact_phone=p[:40],
        contact_note=p[:300], welcomes_mentoring=True, interests=tags[i % len(tags)],
        skills=tags[(i + 1) % len(tags)],
        visibility={f: Visibility.MEMBERS for f in ("department", "position", "interests", "skills", "bio", "contact")}))
    services.record_transfer(db.session, person, department=payloads[(i + 1) % len(payloads)][:200],
                             position=payloads[(i + 2) % len(payloads)][:100], valid_from=date(2024, 4, 1),
                             now=utcnow())
    services.record_transfer(db.session, person, department=p[:200], position=p[:100], valid_from=date(2025, 4, 1),
                             now=utcnow())


def _tags(payloads: list[str]) -> list[str]:
    """Tag lists (one payload a line; separators inside a payload split it): at most 20 tags each."""
    from directory.services import MAX_TAGS, parse_tags

    out: list[str] = []
    current: list[str] = []
    for p in payloads:
        if current and len(parse_tags("\n".join([*current, p[:60]]))) > MAX_TAGS:
            out.append("\n".join(current))
            current = []
        if len(parse_tags(p[:60])) <= MAX_TAGS:
            current.append(p[:60])
    out.append("\n".join(current))
    return out


def _people(payloads: list[str], count: int):  # type: ignore[no-untyped-def]
    chunks = packed(payloads, 4000)
    tags = _tags(payloads)
    people = []
    for i in range(count):
        person = factories.alumnus(name=f"名簿 {i}", email=f"dir{i}@example.jp", commit=False)
        fd.enrol(person, 2024, commit=False)
        _profile(person, payloads, i, chunks=chunks, tags=tags)
        people.append(person)
    return people


def _listing(payloads: list[str]) -> Planted:
    from core.extensions import db

    people = _people(payloads, 24)
    viewer = factories.alumnus(name="閲覧 者")
    fd.enrol(viewer, 2024)
    db.session.commit()
    return Planted(viewer, ["/directory", "/directory?page=2", "/directory?q=alert",
                            f"/directory?q={quote(payloads[0][:100])}&interest={quote(payloads[1][:60])}",
                            f"/directory?department={quote(payloads[4][:100])}&interest={quote(payloads[5][:60])}",
                            *[f"/directory/{p.id}" for p in people[:3]]])


def _own(payloads: list[str]) -> Planted:
    from core.extensions import db
    from directory import privacy, services

    me = factories.alumnus(name="本人 確認")
    fd.enrol(me, 2024, commit=False)
    _profile(me, payloads, 0, chunks=packed(payloads, 4000), tags=_tags(payloads))
    for name in packed(payloads, 80)[:10]:
        services.create_token(db.session, me, name)
    privacy.request_erasure(db.session, me, reason=packed(payloads, 1000)[0])
    db.session.commit()
    return Planted(me, ["/me/profile", f"/directory/{me.id}", "/"])


def _secretariat(payloads: list[str]) -> Planted:
    from core.extensions import db
    from directory import privacy

    people = _people(payloads, 12)
    for person, reason in zip(people, packed(payloads, 1000), strict=False):
        privacy.request_erasure(db.session, person, reason=reason)
    admin = factories.admin(name="事務 局")
    db.session.commit()
    return Planted(admin, ["/directory?q=alert", "/directory/unconfirmed", "/admin/directory/erasure",
                           f"/directory/{people[0].id}"])


TARGETS = [
    XssTarget("directory: list, search (also the typed query) and profiles", _listing),
    XssTarget("directory: own profile, token names, erasure reason", _own),
    XssTarget("directory: secretariat's pages", _secretariat),
]
