"""The default 提案書 template and review rubric, seeded for every cohort (the secretariat adapts them).

The structure follows the format of the 8 cities' collaboration proposals (DOMAIN.md); the guidance
and level descriptions are our own words.
"""
from __future__ import annotations

from typing import NamedTuple


class SectionSpec(NamedTuple):
    key: str
    heading: str
    guidance: str
    min_chars: int | None
    max_chars: int | None
    single_line: bool = False


class CriterionSpec(NamedTuple):
    key: str
    name: str
    description: str
    levels: tuple[str, str, str, str, str]  # level 1 … level 5


TITLE_KEY = "title"

DEFAULT_INTRO = (
    "8市が連携して取り組む施策を、2040年ごろの地域の姿から逆算して提案します。"
    "各項目の「書き方のヒント」と文字数の目安を参考に、チームで書き進めてください。"
    "提出すると、その時点の内容が提出版として保存されます。提出後も下書きは編集でき、修正版として再提出できます。"
)

DEFAULT_SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec(TITLE_KEY, "提案名",
                "取組の中身がひと目で伝わる名前にします。「〇〇のための8市連携△△」のように、"
                "目的と手段の両方が入ると読み手に伝わりやすくなります。", 8, 40, single_line=True),
    SectionSpec("summary", "取組概要",
                "提案全体を数行で要約します。誰の、どんな課題を、8市のどんな連携で解決するのかを書きます。"
                "忙しい部局長が最初に読む欄です。", 150, 400),
    SectionSpec("purpose", "目的",
                "2040年ごろに各市が直面する課題（人口減少・高齢化、インフラの老朽化、専門人材の不足、"
                "災害・感染症など）のうち、この提案が向き合うものと、その根拠となるデータを示します。", 200, 600),
    SectionSpec("activities", "取組内容",
                "具体的に何をするのかを、実施の順序が分かるように書きます。"
                "誰が（どの市・どの部署が）担い、何年度から始めるのか、費用の考え方も添えると説得力が増します。",
                400, 1200),
    SectionSpec("novelty", "新規性",
                "既存の連携事例や国の制度（連携協約、連携中枢都市圏など）と比べて、どこが新しいのかを書きます。",
                150, 600),
    SectionSpec("effect", "効果",
                "住民・職員・各市の財政にとっての効果を、できるだけ数値の見込みとともに示します。"
                "1市で取り組む場合との違いにも触れてください。", 200, 800),
    SectionSpec("continuity", "継続性",
                "担当者の異動や予算の変化があっても続く仕組み（協定、共同の推進組織、費用分担のルールなど）を書きます。",
                150, 600),
    SectionSpec("rollout", "全国展開の可能性",
                "同じ課題を抱える他の自治体でも使える理由と、広げるために必要な条件を書きます。", 150, 600),
    SectionSpec("partnership", "関係者との連携体制",
                "8市それぞれの役割分担、国・県・民間事業者・大学・地域団体との関わり方を、"
                "体制図の代わりに文章や箇条書きで示します。", 150, 800),
)

DEFAULT_CRITERIA: tuple[CriterionSpec, ...] = (
    CriterionSpec("purpose", "目的の明確さ",
                  "解決したい課題と、その根拠が具体的に示されているか。",
                  ("課題が示されていない", "課題はあるが根拠が乏しい", "課題と根拠がおおむね示されている",
                   "課題がデータで裏付けられ、対象が明確", "2040年を見据えた課題設定が明確で、説得力が高い")),
    CriterionSpec("activities", "取組内容の具体性・実現可能性",
                  "何を、誰が、いつ行うかが具体的で、実行できる見込みがあるか。",
                  ("取組が抽象的で実行の姿が見えない", "一部は具体的だが抜けが多い", "主な取組は具体的に書かれている",
                   "担い手・時期・費用まで具体的", "すぐにでも着手できるほど具体的で現実的")),
    CriterionSpec("novelty", "新規性",
                  "既存の制度や連携事例と比べて新しい点があるか。",
                  ("既存の取組と同じ", "新しさがわずかにある", "一定の新しさがある",
                   "既存事例にない工夫が明確", "これまでにない発想で、他の模範となる")),
    CriterionSpec("effect", "効果",
                  "住民・各市にとっての効果が、8市で取り組む意義とともに示されているか。",
                  ("効果が示されていない", "効果は書かれているが根拠が弱い", "効果がおおむね妥当",
                   "効果が数値などで具体的に示されている", "連携ならではの大きな効果が説得力をもって示されている")),
    CriterionSpec("continuity", "継続性",
                  "人事異動や予算の変化があっても続く仕組みが考えられているか。",
                  ("継続の仕組みがない", "継続への言及はあるが具体策がない", "継続の仕組みがおおむね示されている",
                   "体制・財源の両面で継続の見込みがある", "長期にわたり自走する仕組みが具体的に設計されている")),
    CriterionSpec("rollout", "全国展開の可能性",
                  "他の自治体にも広げられる汎用性があるか。",
                  ("8市に固有で展開できない", "展開は難しいが一部参考になる", "条件が合えば展開できる",
                   "多くの自治体で応用できる", "全国のモデルになりうる")),
    CriterionSpec("partnership", "連携体制",
                  "8市と関係者の役割分担が明確で、無理のない体制になっているか。",
                  ("体制が示されていない", "一部の市に負担が偏っている", "役割分担がおおむね示されている",
                   "各市と関係者の役割が明確", "各市の強みを生かした相互補完の体制になっている")),
)
