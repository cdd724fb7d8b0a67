#!/usr/bin/env python3
"""Checks a style sheet of the report page (lib/report/assets/report.css).

    check_css.py FILE.css

Two readings, and both must accept every rule and every declaration:

1. Its own: comments and strings closed, braces and parentheses balanced,
   every rule a selector and a block, every declaration "name: value".
2. Chromium's (the browser the end-to-end tests drive; IFK_CHROMIUM, else
   /usr/bin/chromium): the sheet is loaded into a page whose script reads
   back the CSS object model. A browser drops, without a word, a rule whose
   selector it cannot read and a declaration whose property or value it
   does not know; each one dropped is named here with its line.

Before the file, a few broken sheets go through the same two readings, and
each must be refused: a checker that lets them through checks nothing.
Prints one line for each problem; exits 1 when there is one."""
import html
import json
import os
import re
import subprocess
import sys
import tempfile

CHROMIUM = os.environ.get("IFK_CHROMIUM", "/usr/bin/chromium")
NAME_RE = re.compile(r"^(--[A-Za-z0-9_-]+|-?[a-z][a-z0-9-]*)$")
GROUPS = ("@media", "@supports")  # at-rules that hold rules (the others hold declarations)

# Each is refused by one of the two readings.
BROKEN = {
    "unclosed block": "a{color:red\n",
    "a } too many": "a{color:red}}\n",
    "declaration without a colon": "a{color red}\n",
    "unclosed string": "a{content:\"x}\n",
    "unclosed comment": "/* a{color:red}\n",
    "rule without a selector": "{color:red}\n",
    "declaration outside a rule": "color:red;\n",
    "unknown property": "a{colr:red}\n",
    "value the property cannot take": "a{color:reed}\n",
    "selector the browser cannot read": "a::nonsense{color:red}\n",
    "unknown property inside @media": "@media print{a{colr:red}}\n",
}


class Bad(Exception):
    def __init__(self, pos, msg):
        super().__init__(msg)
        self.pos, self.msg = pos, msg


class Sheet:
    """Reads a style sheet into rules: {"sel", "line", "props": [(name, line)]}
    and groups: {"at", "line", "rules": [...]}."""

    def __init__(self, text):
        self.t, self.i = self.uncomment(text), 0

    @staticmethod
    def uncomment(text):
        out, i, quote = [], 0, None
        while i < len(text):
            c = text[i]
            if quote:
                if c == "\\":
                    out.append(text[i:i + 2])
                    i += 2
                    continue
                if c == quote:
                    quote = None
                out.append(c)
            elif c in "\"'":
                quote = c
                out.append(c)
            elif text.startswith("/*", i):
                end = text.find("*/", i + 2)
                if end < 0:
                    raise Bad(i, "a comment is not closed")
                out.append(re.sub(r"[^\n]", " ", text[i:end + 2]))
                i = end + 2
                continue
            else:
                out.append(c)
            i += 1
        return "".join(out)

    def line(self, pos):
        return self.t.count("\n", 0, pos) + 1

    def skip_ws(self):
        while self.i < len(self.t) and self.t[self.i].isspace():
            self.i += 1

    def upto(self, stops):
        """The text up to the first of stops outside strings and (...)."""
        start, depth, t = self.i, 0, self.t
        while self.i < len(t):
            c = t[self.i]
            if c == "\\":
                self.i += 2
                continue
            if c in "\"'":
                end = self.i + 1
                while end < len(t) and t[end] != c:
                    if t[end] == "\n":
                        raise Bad(self.i, "a string is not closed on its line")
                    end += 2 if t[end] == "\\" else 1
                if end >= len(t):
                    raise Bad(self.i, "a string is not closed")
                self.i = end + 1
                continue
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
                if depth < 0:
                    raise Bad(self.i, "a ) without its (")
            elif depth == 0 and c in stops:
                return t[start:self.i].strip(), c
            elif c in "{}" and depth:
                raise Bad(self.i, "a ( is not closed before %s" % c)
            self.i += 1
        if depth:
            raise Bad(start, "a ( is not closed")
        return t[start:].strip(), None

    def rules(self, opened=None):
        """The rules up to the end, or (opened: where its { is) to its }."""
        out = []
        while True:
            self.skip_ws()
            at = self.i
            if self.i >= len(self.t):
                if opened is not None:
                    raise Bad(opened, "this { is not closed")
                return out
            if self.t[self.i] == "}":
                if opened is None:
                    raise Bad(at, "a } without its {")
                self.i += 1
                return out
            prelude, stop = self.upto("{};")
            if stop != "{":
                if stop == ";" and prelude.startswith("@"):
                    self.i += 1
                    continue
                raise Bad(at, "text outside a rule: %r" % prelude[:40])
            self.i += 1
            if not prelude:
                raise Bad(at, "a block without a selector")
            if prelude.startswith(GROUPS):
                out.append({"at": prelude, "line": self.line(at), "rules": self.rules(at)})
            else:
                self.selector(prelude, at)
                out.append({"sel": prelude, "line": self.line(at), "props": self.block(at)})

    def selector(self, sel, at):
        parts = [p.strip() for p in sel.split(",")]
        if not sel.startswith("@") and not all(parts):
            raise Bad(at, "an empty selector in %r" % sel)

    def block(self, opened):
        props = []
        while True:
            self.skip_ws()
            at = self.i
            if self.i >= len(self.t):
                raise Bad(opened, "this { is not closed")
            if self.t[self.i] == "}":
                self.i += 1
                return props
            decl, stop = self.upto(";{}")
            if stop == "{":
                raise Bad(opened, "this { is not closed before the next {")
            if stop is None:
                raise Bad(opened, "this { is not closed")
            if stop == ";":
                self.i += 1
            name, colon, value = decl.partition(":")
            name = name.strip()
            if not colon or not NAME_RE.match(name):
                raise Bad(at, "not a declaration: %r" % decl[:40])
            if not value.strip() or value.strip() == "!important":
                raise Bad(at, "%s has no value" % name)
            props.append((name, self.line(at)))


def read(text):
    """(rules, None) or (None, "line N: problem")."""
    try:
        return Sheet(text).rules(), None
    except Bad as e:  # positions are the text's: comments became as many spaces
        return None, "line %d: %s" % (text.count("\n", 0, e.pos) + 1, e.msg)


# The page's script: the rules the browser kept, with the value it holds
# for each property in NAMES, and how it writes each selector in SELS (null
# for one it cannot read).
PAGE_JS = """
function dump(list) {
  return Array.prototype.map.call(list, function (r) {
    if (r.cssRules && !r.style)
      return {at: r.conditionText || '', rules: dump(r.cssRules)};
    var vals = {};
    NAMES.forEach(function (n) {
      var v = r.style ? r.style.getPropertyValue(n) : '';
      if (v !== '')
        vals[n] = v;
    });
    return {sel: r.selectorText || '', vals: vals};
  });
}
var scratch = new CSSStyleSheet(), canon = {};
SELS.forEach(function (s) {
  try {
    scratch.insertRule(s + '{}', 0);
    canon[s] = scratch.cssRules[0].selectorText;
    scratch.deleteRule(0);
  } catch (e) {
    canon[s] = null;
  }
});
var sheets = Array.prototype.map.call(document.styleSheets, function (s) {
  return dump(s.cssRules);
});
document.getElementById('out').textContent = JSON.stringify({sheets: sheets, canon: canon});
"""


def names(rules):
    for r in rules:
        if "rules" in r:
            yield from names(r["rules"])
        else:
            yield from (n for n, _ in r["props"])


def selectors(rules):
    for r in rules:
        if "rules" in r:
            yield from selectors(r["rules"])
        else:
            yield r["sel"]


def browser(texts, every, sels):
    """What Chromium kept of each sheet, in order (its rules as the page's
    script dumps them, with the values of the properties named in every),
    and how it writes each selector of sels."""
    style = "".join("<style>\n%s</style>\n" % t for t in texts)
    page = ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n%s</head><body>"
            "<pre id=\"out\"></pre><script>var NAMES = %s, SELS = %s;%s</script></body></html>\n"
            % (style, json.dumps(sorted(every)), json.dumps(sorted(sels)), PAGE_JS))
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "sheets.html")
        with open(path, "w", encoding="utf-8") as f:
            f.write(page)
        r = subprocess.run([CHROMIUM, "--headless=new", "--no-sandbox", "--disable-gpu",
                            "--no-first-run", "--user-data-dir=" + os.path.join(tmp, "p"),
                            "--dump-dom", "file://" + path],
                           capture_output=True, text=True, timeout=180)
    m = re.search(r'<pre id="out">(.*?)</pre>', r.stdout, re.S)
    if r.returncode or not m or not m.group(1):
        sys.exit("chromium could not read the sheets (exit %d): %s" %
                 (r.returncode, r.stderr.strip()[-400:]))
    kept = json.loads(html.unescape(m.group(1)))
    if len(kept["sheets"]) != len(texts):
        sys.exit("chromium read %d sheets of %d" % (len(kept["sheets"]), len(texts)))
    return kept["sheets"], kept["canon"]


def compare(want, got, canon, where=""):
    """Every rule and declaration of want that the browser dropped."""
    problems, j = [], 0
    for w in want:
        g = got[j] if j < len(got) else {}
        if "rules" in w and "rules" in g:
            problems += compare(w["rules"], g["rules"], canon, where + w["at"] + " ")
            j += 1
        elif "rules" in w:
            problems.append("line %d: the browser dropped %s" % (w["line"], w["at"]))
        elif canon.get(w["sel"]) is None:
            problems.append("line %d: %sthe browser cannot read the selector %s"
                            % (w["line"], where, w["sel"]))
        elif g.get("sel") != canon[w["sel"]]:
            problems.append("line %d: %s%s: the browser dropped the rule"
                            % (w["line"], where, w["sel"]))
        else:
            problems += ["line %d: %s%s: the browser dropped the declaration of %s"
                         % (line, where, w["sel"], n) for n, line in w["props"]
                         if n not in g["vals"]]
            j += 1
    return problems


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    if not os.access(CHROMIUM, os.X_OK):
        sys.exit("Chromium is missing (%s): scripts/deps.sh installs it" % CHROMIUM)
    path = sys.argv[1]
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if re.search(r"</style", text, re.I):
        sys.exit("%s: holds </style, which would end its element" % path)
    sheets = dict(BROKEN)
    sheets[path] = text
    ours, problems = {}, {}
    for key, t in sheets.items():
        ours[key], err = read(t)
        problems[key] = [err] if err else []
    every = {n for rules in ours.values() if rules for n in names(rules)}
    sels = {n for rules in ours.values() if rules for n in selectors(rules)}
    kept, canon = browser(list(sheets.values()), every, sels)
    for key, got in zip(sheets, kept):
        if ours[key]:
            problems[key] = compare(ours[key], got, canon)
    if ours[path] == []:
        problems[path].append("line 1: no rule")
    accepted = [key for key in BROKEN if not problems[key]]
    for key in accepted:
        print("the checker accepts a broken sheet (%s): %r" % (key, BROKEN[key]))
    for p in problems[path]:
        print("%s:%s" % (path, p[len("line "):]))
    bad = len(accepted) + len(problems[path])
    print("%s: %d problems; %d declarations read by this checker and by Chromium; "
          "%d of %d broken sheets refused" % (path, len(problems[path]),
                                              sum(1 for _ in names(ours[path] or [])),
                                              len(BROKEN) - len(accepted), len(BROKEN)))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
