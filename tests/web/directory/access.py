"""Access rules for the directory: pages for every member, upkeep for coordinators, tools for the secretariat."""
from tests.access import ADMIN, ALUMNUS, COORDINATOR, COORDINATOR_OTHER, EVERYONE, POST_OK, SIGNED_IN, Rule

ORDER = 30
REDIRECT = frozenset({302})

RULES = [
    Rule("directory.index", "/directory", SIGNED_IN),
    Rule("directory.index", "/directory?q=修了&fy=2025", SIGNED_IN),
    Rule("directory.profile", lambda w: f"/directory/{w.users[ALUMNUS].id}", SIGNED_IN),
    Rule("directory.me", "/me/profile", SIGNED_IN),
    Rule("directory.me", "/me/profile", SIGNED_IN, method="POST", data={"interests": "防災"}, ok=POST_OK),
    Rule("directory.correct_affiliation", "/me/profile/affiliation", SIGNED_IN, method="POST",
         data={"department": "総務課"}, ok=POST_OK),
    Rule("directory.transfer", "/me/profile/transfer", SIGNED_IN, method="POST", ok=POST_OK),
    Rule("directory.confirm", "/me/profile/confirm", SIGNED_IN, method="POST", ok=REDIRECT),
    Rule("directory.create_token", "/me/tokens", SIGNED_IN, method="POST", ok=POST_OK),
    Rule("directory.revoke_token", lambda w: f"/me/tokens/{w.alumnus_token.id}/revoke", frozenset({ALUMNUS}),
         method="POST", ok=REDIRECT, note="only the owner; others get 404"),
    Rule("directory.download", "/me/data.json", SIGNED_IN),
    Rule("directory.request_erasure", "/me/erasure", SIGNED_IN, method="POST", ok=POST_OK),
    Rule("directory.withdraw_erasure", "/me/erasure/withdraw", SIGNED_IN, method="POST", ok=REDIRECT),
    Rule("directory.statistics", "/directory/statistics", SIGNED_IN),
    Rule("directory.unconfirmed", "/directory/unconfirmed", frozenset({ADMIN, COORDINATOR, COORDINATOR_OTHER})),
    Rule("directory.import_people", "/admin/directory/import", frozenset({ADMIN})),
    Rule("directory.import_people", "/admin/directory/import", frozenset({ADMIN}), method="POST",
         ok=frozenset({400})),
    Rule("directory.export_csv", "/admin/directory/export.csv", frozenset({ADMIN})),
    Rule("directory.erasure_requests", "/admin/directory/erasure", frozenset({ADMIN})),
    Rule("directory.anonymize", lambda w: f"/admin/directory/people/{w.erasing.id}/anonymize", frozenset({ADMIN}),
         method="POST", ok=REDIRECT),
    Rule("directory_api.openapi", "/api/v1/openapi.json", EVERYONE, note="describes the API, holds no data"),
    Rule("directory_api.people", "/api/v1/people?q=修了", SIGNED_IN),
    Rule("directory_api.person", lambda w: f"/api/v1/people/{w.users[ALUMNUS].id}", SIGNED_IN),
]


def build(world):  # type: ignore[no-untyped-def]
    from core.extensions import db
    from directory import services
    from tests import factories

    _raw, world.alumnus_token = services.create_token(db.session, world.users[ALUMNUS], "試験用")
    world.erasing = factories.alumnus(name="削除 依頼子")
    db.session.commit()
