"""Codes of the case library's structured fields and their labels (Japanese msgids, English in the catalogue).

The seed file (wiki/seed/cases.yaml) and proposed cases use these codes; a code that is not listed
here is refused by the sync and by the form.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

# 政策分野 (policy field)
FIELDS = {
    "disaster": _l("防災・消防"),
    "health_care": _l("医療・介護・保健"),
    "childcare": _l("子育て"),
    "education_culture": _l("教育・文化"),
    "tourism": _l("観光"),
    "economy": _l("産業・経済"),
    "dx": _l("DX・データ活用"),
    "environment": _l("環境"),
    "workforce": _l("人材"),
    "transport": _l("交通"),
    "infrastructure": _l("インフラ"),
    "administration": _l("行政運営"),
}

# 連携の形態 (kind of collaboration / instrument)
KINDS = {
    "agreement": _l("協定"),
    "mutual_use": _l("施設・サービスの相互利用"),
    "joint_project": _l("共同事業"),
    "delegation": _l("事務の委託"),
    "council": _l("協議会・会議"),
    "central_city_region": _l("連携中枢都市圏"),
    "data_platform": _l("データ連携基盤"),
    "personnel_exchange": _l("職員の派遣・交流"),
    "partnership_contract": _l("連携協約"),
    "joint_body": _l("機関等の共同設置・一部事務組合・広域連合"),
    "other": _l("その他"),
}

# The eight member cities come first in the city filter.
EIGHT_CITIES = ("横浜市", "川崎市", "横須賀市", "鎌倉市", "藤沢市", "逗子市", "大和市", "町田市")


def field_label(code: str) -> str:
    return str(FIELDS.get(code, code))


def kind_label(code: str) -> str:
    return str(KINDS.get(code, code))
