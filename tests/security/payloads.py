"""An XSS corpus: raw HTML, script URLs in Markdown, entity tricks, attribute breaking, mutation XSS.

Every payload tries to call ``alert`` (or ``print``/``confirm``/``prompt``) or set ``window.__xss``; the
browser test installs traps for all of them before any page script runs, so a single execution
anywhere fails the test. Payloads are text a person could type into any field.
"""
from __future__ import annotations

RAW_HTML = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//127.0.0.1:1/x.js></SCRIPT>",
    "<script>window.__xss=1</script>",
    "<img src=x onerror=alert(1)>",
    "<img src=x onerror=\"window.__xss=1\">",
    "<IMG SRC=# onmouseover=\"alert(1)\">",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<body onload=alert(1)>",
    "<iframe src=\"javascript:alert(1)\"></iframe>",
    "<iframe srcdoc=\"<script>parent.alert(1)</script>\"></iframe>",
    "<object data=\"javascript:alert(1)\"></object>",
    "<embed src=\"javascript:alert(1)\">",
    "<video><source onerror=\"alert(1)\"></video>",
    "<audio src=x onerror=alert(1)>",
    "<details open ontoggle=alert(1)>",
    "<marquee onstart=alert(1)>x</marquee>",
    "<input autofocus onfocus=alert(1)>",
    "<select autofocus onfocus=alert(1)>",
    "<textarea autofocus onfocus=alert(1)>",
    "<keygen autofocus onfocus=alert(1)>",
    "<form><button formaction=javascript:alert(1)>x</button></form>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<isindex type=image src=1 onerror=alert(1)>",
    "<link rel=import href=\"data:text/html,<script>alert(1)</script>\">",
    "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
    "<base href=\"javascript:alert(1)//\">",
    "<div style=\"background:url(javascript:alert(1))\">x</div>",
    "<style>@import 'javascript:alert(1)';</style>",
    "<a href=\"javascript:alert(1)\">click</a>",
    "<a href=\"JaVaScRiPt:alert(1)\">x</a>",
    "<a href=\"&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)\">x</a>",
    "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
    "<a href=\" javascript:alert(1)\">x</a>",
    "<a href=\"vbscript:msgbox(1)\">x</a>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==\">x</a>",
    "<img src=\"x\" alt=\"\" onerror=\"alert(1)\"/>",
    "<img \"\"\"><script>alert(1)</script>\">",
    "<<script>alert(1);//<</script>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
    "<template><script>alert(1)</script></template>",
    "<svg><a xlink:href=\"javascript:alert(1)\"><text x=20 y=20>x</text></a></svg>",
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<svg><set attributeName=onmouseover to=alert(1)>",
    "<xmp><p title=\"</xmp><img src=x onerror=alert(1)>\">",
    "<table background=\"javascript:alert(1)\">",
    "<comment><img src=\"</comment><img src=x onerror=alert(1)//\">",
]

MARKDOWN = [
    "[x](javascript:alert(1))",
    "[x](JAVASCRIPT:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](&#x6A;avascript:alert(1))",
    "[x]( javascript:alert(1) )",
    "[x](java\tscript:alert(1))",
    "[x](data:text/html,<script>alert(1)</script>)",
    "![x](javascript:alert(1))",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x\" onerror=\"alert(1)](x)",
    "[x](https://example.jp \"title\\\" onmouseover=alert(1) x=\\\"\")",
    "<javascript:alert(1)>",
    "[x](https://example.jp){: onclick=\"alert(1)\" }",
    "# heading {: onclick=alert(1) }",
    "[a][ref]\n\n[ref]: javascript:alert(1)",
    "[a][r2]\n\n[r2]: data:text/html,alert(1)",
    "```\n</code></pre><script>alert(1)</script>\n```",
    "`<script>alert(1)</script>`",
    "> <img src=x onerror=alert(1)>",
    "* <svg onload=alert(1)>",
    "| a | b |\n|---|---|\n| <img src=x onerror=alert(1)> | x |",
    "<div markdown=\"1\">[x](javascript:alert(1))</div>",
    "[[<img src=x onerror=alert(1)>]]",
    "[[javascript:alert(1)]]",
    "[[x|<script>alert(1)</script>]]",
    "@<img src=x onerror=alert(1)>",
]

ATTRIBUTE_BREAKING = [
    "\"><script>alert(1)</script>",
    "'><script>alert(1)</script>",
    "\" onmouseover=\"alert(1)",
    "' onmouseover='alert(1)",
    "\" autofocus onfocus=\"alert(1)",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "</style><script>alert(1)</script>",
    "</script><script>alert(1)</script>",
    "{{ 7*7 }}<script>alert(1)</script>",
    "${alert(1)}",
    "javascript:alert(1)",
    "\u2028<script>alert(1)</script>",
    "%3Cscript%3Ealert(1)%3C/script%3E",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "<!--<img src=\"--><img src=x onerror=alert(1)//\">",
    "<![CDATA[<script>alert(1)</script>]]>",
    "＜script＞alert(1)＜/script＞",
    "<ſcript>alert(1)</ſcript>",
    "<img src=x onerror=&#97;&#108;&#101;&#114;&#116;(1)>",
]

ALL = RAW_HTML + MARKDOWN + ATTRIBUTE_BREAKING

# A trap installed before any page script: any of these calls marks the page as compromised.
TRAP = """
(() => {
  const hit = (how) => { window.__xss_hits = (window.__xss_hits || []); window.__xss_hits.push(how); };
  for (const name of ['alert', 'confirm', 'prompt', 'print']) {
    const original = window[name];
    window[name] = function () { hit(name); };
  }
  Object.defineProperty(window, '__xss', { set() { hit('__xss'); }, get() { return undefined; } });
})();
"""
