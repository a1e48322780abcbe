#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Builds the labelled secrets corpus (tests/data/secrets/corpus.jsonl).

Sources, each line one JSON object {"id", "text", "label", "source", "group", "split"}:
- gitleaks' own rule tests (cmd/generate/config/rules/*.go, MIT, see NOTICE): the `tps`
  (label 1) and `fps` (label 0) each rule passes to utils.Validate. The Go expressions are
  evaluated by a small interpreter below: string literals, `+`, fmt.Sprintf("%s"), local
  variables, append, utils.GenerateSampleSecret(s) and secrets.NewSecret(regex), the last
  drawn from the regex with a seeded generator, so the output is the same on every run.
  GenerateSampleSecrets wraps one secret in 28 file formats; 6 of them, chosen by the seed,
  are kept so that one secret does not outweigh the hand-written cases.
  An `fps` entry only says that one rule must not fire; the text may still hold another
  provider's key. So an fps entry is kept as a negative only when none of the default
  gitleaks.toml rules (regex, keywords, entropy, allowlists; ported to Python re) fires
  on it, i.e. when gitleaks as a whole calls it clean. Rules whose regex Python cannot
  compile are skipped for that check (their fps are then kept).
- Vigil's own generated cases (`source` "vigil.*"): connection strings with inline
  passwords (positives), placeholders and documented example keys, and hard negatives
  from audit logs (UUIDs, git SHAs, hashes, base64 images, URLs without passwords).

`split` is "train" or "heldout", from the SHA-256 of `group` (the secret for generated
variants, the text otherwise), so every format of one secret lands on the same side.
Usage: extract_gitleaks.py GITLEAKS_CHECKOUT > corpus.jsonl
"""

import hashlib
import json
import os
import random
import re
import warnings
warnings.simplefilter('ignore', DeprecationWarning)
import sre_constants as C  # noqa: E402
import sre_parse  # noqa: E402
import string
import sys
import tomllib

HELDOUT_PERCENT = 40
SAMPLE_FORMATS = 6

# ---------------------------------------------------------------------------------------
# Go tokenizer with automatic semicolons (enough of the language for the rule files).

TOKEN = re.compile(
    r'(?P<ws>[ \t\r]+)|(?P<nl>\n)|(?P<comment>//[^\n]*|/\*.*?\*/)'
    r'|(?P<raw>`[^`]*`)|(?P<str>"(?:[^"\\\n]|\\.)*")|(?P<char>\'(?:[^\'\\]|\\.)+\')'
    r'|(?P<num>\d+(?:\.\d+)?)|(?P<ident>[A-Za-z_][A-Za-z0-9_]*)'
    r'|(?P<op>\.\.\.|:=|\+=|==|!=|&&|\|\||<-|[-+*/%&|^<>=!(){}\[\],;:.])',
    re.S)


def go_unquote(lit):
    if lit.startswith('`'):
        return lit[1:-1].replace('\r', '')
    body = lit[1:-1]
    out, i = [], 0
    simple = {'n': '\n', 't': '\t', 'r': '\r', '\\': '\\', '"': '"', "'": "'", 'a': '\a',
              'b': '\b', 'f': '\f', 'v': '\v'}
    while i < len(body):
        c = body[i]
        if c != '\\':
            out.append(c)
            i += 1
            continue
        n = body[i + 1]
        if n in simple:
            out.append(simple[n])
            i += 2
        elif n == 'x':
            out.append(chr(int(body[i + 2:i + 4], 16)))
            i += 4
        elif n == 'u':
            out.append(chr(int(body[i + 2:i + 6], 16)))
            i += 6
        elif n == 'U':
            out.append(chr(int(body[i + 2:i + 10], 16)))
            i += 10
        elif n in '01234567':
            out.append(chr(int(body[i + 1:i + 4], 8)))
            i += 4
        else:
            raise ValueError('escape \\' + n)
    return ''.join(out)


def tokenize(src):
    toks = []
    for m in TOKEN.finditer(src):
        kind = m.lastgroup
        text = m.group()
        if kind == 'ws':
            continue
        if kind == 'comment':
            if '\n' in text and toks and needs_semi(toks[-1]):
                toks.append(('op', ';'))
            continue
        if kind == 'nl':
            if toks and needs_semi(toks[-1]):
                toks.append(('op', ';'))
            continue
        if kind in ('raw', 'str'):
            toks.append(('str', go_unquote(text)))
        else:
            toks.append((kind, text))
    return toks


def needs_semi(tok):
    kind, text = tok
    return kind in ('ident', 'str', 'num', 'char') or text in (')', ']', '}')


# ---------------------------------------------------------------------------------------
# Regex -> sample string (what gitleaks' secrets.NewSecret does with reggen).

PRINTABLE = [chr(c) for c in range(0x21, 0x7F)]
WORD = list(string.ascii_letters + string.digits + '_')
DIGITS = list(string.digits)
SPACE = [' ']


def category_chars(cat):
    if cat == C.CATEGORY_DIGIT:
        return DIGITS
    if cat == C.CATEGORY_WORD:
        return WORD
    if cat == C.CATEGORY_SPACE:
        return SPACE
    if cat == C.CATEGORY_NOT_DIGIT:
        return [c for c in PRINTABLE if c not in DIGITS]
    if cat == C.CATEGORY_NOT_WORD:
        return [c for c in PRINTABLE if c not in WORD]
    return [c for c in PRINTABLE if c != ' ']


def set_chars(items):
    chars, negate = [], False
    for op, av in items:
        if op == C.NEGATE:
            negate = True
        elif op == C.LITERAL:
            chars.append(chr(av))
        elif op == C.RANGE:
            chars.extend(chr(c) for c in range(av[0], av[1] + 1))
        elif op == C.CATEGORY:
            chars.extend(category_chars(av))
    if negate:
        chars = [c for c in PRINTABLE if c not in chars]
    return chars


def generate(parsed, rng, out):
    for op, av in parsed:
        if op == C.LITERAL:
            out.append(chr(av))
        elif op == C.NOT_LITERAL:
            out.append(rng.choice([c for c in PRINTABLE if c != chr(av)]))
        elif op == C.ANY:
            out.append(rng.choice(PRINTABLE))
        elif op == C.IN:
            out.append(rng.choice(set_chars(av)))
        elif op in (C.MAX_REPEAT, C.MIN_REPEAT, getattr(C, 'POSSESSIVE_REPEAT', None)):
            lo, hi, sub = av
            if hi == C.MAXREPEAT:
                hi = lo + 1  # reggen's limit of 1 for unbounded repeats
            for _ in range(rng.randint(lo, hi)):
                generate(sub, rng, out)
        elif op == C.SUBPATTERN:
            generate(av[-1], rng, out)
        elif op == C.BRANCH:
            generate(rng.choice(av[1]), rng, out)
        elif op in (C.AT, C.ASSERT, C.ASSERT_NOT):
            pass
        elif op == C.CATEGORY:
            out.append(rng.choice(category_chars(av)))
        else:
            raise ValueError('regex op %s' % op)


def new_secret(regex, rng):
    out = []
    generate(sre_parse.parse(go_to_python(regex)), rng, out)
    return ''.join(out)


# ---------------------------------------------------------------------------------------
# The Go expression interpreter.

SAMPLE_TEMPLATES = [
    '{i}Token="{s}"', '{i}Token = "{s}"', '{i}Token={s}', '{i}Token = {s}',
    '{\n    "{i}_token": "{s}"\n}', '{"config.ini": "{I}_TOKEN={s}\\nBACKUP_ENABLED=true"}',
    '<{i}Token>\n    {s}\n</{i}Token>', '{i}_token: {s}', "{i}_token: '{s}'",
    '{i}_token: "{s}"', 'string {i}Token = "{s}";', 'var {i}Token string = "{s}"',
    '{i}Token := "{s}"', '{i}Token := `{s}`', 'String {i}Token = "{s}";',
    'var {i}Token = "{s}"', '${i}Token .= "{s}"', "{i}Token = '{s}'", '{i}Token = "{s}"',
    'System.setProperty("{I}_TOKEN", "{s}")', '  "{i}Token" => "{s}"', '{i}_TOKEN = "{s}"',
    '{i}_TOKEN := "{s}"', '{i}_TOKEN ::= "{s}"', '{i}_TOKEN :::= "{s}"', '{i}_TOKEN ?= "{s}"',
]


def fill(template, ident, secret):
    return template.replace('{i}', ident).replace('{I}', ident.upper()).replace('{s}', secret)


class Sample(str):
    """A string that remembers the secret it was generated around (its split group)."""
    group = None


class Unsupported(Exception):
    pass


PATTERN_FUNCS = {
    'Numeric': '[0-9]{%s}', 'Hex': '[a-f0-9]{%s}', 'AlphaNumeric': '[a-z0-9]{%s}',
    'AlphaNumericExtendedShort': '[a-z0-9_-]{%s}', 'AlphaNumericExtended': '[a-z0-9=_\\-]{%s}',
    'AlphaNumericExtendedLong': '[a-z0-9\\/=_\\+\\-]{%s}',
}


class Interp:
    def __init__(self, toks, rng):
        self.t = toks
        self.i = 0
        self.rng = rng
        self.vars = {}

    def peek(self, k=0):
        j = self.i + k
        return self.t[j] if j < len(self.t) else ('eof', '')

    def take(self, text=None):
        tok = self.peek()
        if text is not None and tok[1] != text:
            raise Unsupported('expected %s got %s' % (text, tok[1]))
        self.i += 1
        return tok

    def skip_balanced(self):
        depth = 0
        while self.peek()[0] != 'eof':
            k, s = self.take()
            if s in '([{' and k == 'op':
                depth += 1
            elif s in ')]}' and k == 'op':
                depth -= 1
                if depth < 0:
                    self.i -= 1
                    return
            elif s == ';' and depth == 0:
                return

    # expressions ------------------------------------------------------------------------
    def expr(self):
        v = self.primary()
        while self.peek()[1] == '+':
            self.take()
            w = self.primary()
            v = self.concat(v, w)
        return v

    @staticmethod
    def concat(a, b):
        if not isinstance(a, str) or not isinstance(b, str):
            raise Unsupported('+ of non-strings')
        out = Sample(a + b)
        out.group = getattr(a, 'group', None) or getattr(b, 'group', None)
        return out

    def args(self):
        self.take('(')
        out, spread = [], False
        while self.peek()[1] != ')':
            out.append(self.expr())
            if self.peek()[1] == '...':
                self.take()
                spread = True
            if self.peek()[1] == ',':
                self.take()
            while self.peek()[1] == ';':
                self.take()
        self.take(')')
        return out, spread

    def composite(self):
        # []string{...} or map[string]string{...}
        is_map = self.peek()[1] == 'map'
        while self.peek()[1] != '{':
            if self.peek()[0] == 'eof':
                raise Unsupported('composite')
            self.take()
        self.take('{')
        out = []
        while self.peek()[1] != '}':
            if self.peek()[0] == 'eof' or self.peek()[1] in (')', ']'):
                raise Unsupported('composite')
            if self.peek()[1] in (';', ','):
                self.take()
                continue
            try:
                v = self.expr()
                if is_map:
                    self.take(':')
                    v = self.expr()
                out.append(v)
            except (Unsupported, ValueError, KeyError, IndexError):
                self.skip_element()
        self.take('}')
        return out

    def skip_element(self):
        depth = 0
        while True:
            k, s = self.peek()
            if k == 'eof':
                return
            if k == 'op' and s in '([{':
                depth += 1
            elif k == 'op' and s in ')]}':
                if depth == 0:
                    return
                depth -= 1
            elif k == 'op' and s == ',' and depth == 0:
                return
            self.take()

    def primary(self):
        k, s = self.peek()
        if k == 'str':
            self.take()
            return s
        if s == '[' or s == 'map':
            return self.composite()
        if s == '(':
            self.take()
            v = self.expr()
            self.take(')')
            return v
        if k != 'ident':
            raise Unsupported('primary ' + s)
        name = s
        self.take()
        while self.peek()[1] == '.':
            self.take()
            name += '.' + self.take()[1]
        if self.peek()[1] == '(':
            args, spread = self.args()
            return self.call(name, args, spread)
        if name in self.vars:
            return self.vars[name]
        raise Unsupported('unknown name ' + name)

    def call(self, name, args, spread):
        if name == 'append':
            base = list(args[0])
            rest = args[1:]
            if spread:
                base.extend(rest[0])
            else:
                base.extend(rest)
            return base
        if name == 'secrets.NewSecret':
            return new_secret(args[0], self.rng)
        if name.startswith('utils.') and name[6:] in PATTERN_FUNCS:
            return PATTERN_FUNCS[name[6:]] % args[0]
        if name == 'utils.Hex8_4_4_4_12':
            return '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
        if name == 'utils.GenerateSampleSecret':
            out = Sample('%s_api_token = "%s"' % (args[0], args[1]))
            out.group = args[1]
            return out
        if name == 'utils.GenerateSampleSecrets':
            chosen = self.rng.sample(SAMPLE_TEMPLATES, SAMPLE_FORMATS)
            out = []
            for t in chosen:
                v = Sample(fill(t, args[0], args[1]))
                v.group = args[1]
                out.append(v)
            return out
        if name == 'fmt.Sprintf':
            fmt_, rest = args[0], list(args[1:])
            if re.search(r'%[^s%]', fmt_):
                raise Unsupported('Sprintf verb')
            parts = fmt_.split('%s')
            if len(parts) - 1 != len(rest):
                raise Unsupported('Sprintf arity')
            out = parts[0]
            for a, p in zip(rest, parts[1:]):
                out += a + p
            return out.replace('%%', '%')
        if name == 'strings.Repeat':
            raise Unsupported(name)
        if name == 'newPlausibleSecret':
            # generic.go: a secret drawn from the regex, redrawn until it has a digit.
            for _ in range(100):
                v = new_secret(args[0], self.rng)
                if re.search(r'\d', v) and re.search(r'[A-Za-z]', v):
                    return v
            return v
        raise Unsupported('call ' + name)

    # statements -------------------------------------------------------------------------
    def run(self):
        validated = []
        while self.peek()[0] != 'eof':
            start = self.i
            try:
                if not self.statement(validated):
                    self.i = start
                    self.skip_balanced()
            except (Unsupported, ValueError, KeyError, IndexError):
                self.i = start
                self.skip_balanced()
            if self.peek()[1] in (';', '}', ')') or self.i == start:
                self.take()
        return validated

    def statement(self, validated):
        k, s = self.peek()
        if s == 'var':
            self.take()
            if self.peek()[1] == '(':
                self.take()
                while self.peek()[1] != ')':
                    if self.peek()[1] == ';':
                        self.take()
                        continue
                    start = self.i
                    try:
                        self.assign_one()
                    except (Unsupported, ValueError, KeyError, IndexError):
                        self.i = start
                        self.skip_balanced()
                self.take(')')
                return True
            self.assign_one()
            return True
        if s == 'return' and self.peek(1)[1] == 'utils' and \
                self.peek(3)[1] in ('Validate', 'ValidateWithPaths'):
            self.take()
            self.take('utils')
            self.take('.')
            self.take()
            self.take('(')
            self.take()  # r
            self.take(',')
            tps = self.expr_or_nil()
            self.take(',')
            fps = self.expr_or_nil()
            validated.append((tps, fps))
            return True
        if k == 'ident' and self.peek(1)[1] in (':=', '=', ','):
            self.assign_one()
            return True
        return False

    def expr_or_nil(self):
        if self.peek()[1] == 'nil':
            self.take()
            return []
        return self.expr()

    def assign_one(self):
        names = [self.take()[1]]
        while self.peek()[1] == ',':
            self.take()
            names.append(self.take()[1])
        if self.peek()[0] == 'ident' and self.peek()[1] not in ('map',):
            self.take()  # a type: `var x string = ...`
        op = self.take()[1]
        if op not in (':=', '='):
            raise Unsupported('assign ' + op)
        values = [self.expr()]
        while self.peek()[1] == ',':
            self.take()
            values.append(self.expr())
        for n, v in zip(names, values):
            self.vars[n] = v


def rule_functions(toks):
    """(name, body tokens) of every `func Name() *config.Rule { ... }` in a file."""
    i = 0
    while i < len(toks):
        if toks[i][1] == 'func' and i + 7 < len(toks) and [t[1] for t in toks[i + 2:i + 8]] == \
                ['(', ')', '*', 'config', '.', 'Rule']:
            name = toks[i + 1][1]
            j = i + 8
            if toks[j][1] != '{':
                i += 1
                continue
            depth, k = 0, j
            while k < len(toks):
                if toks[k][0] == 'op' and toks[k][1] == '{':
                    depth += 1
                elif toks[k][0] == 'op' and toks[k][1] == '}':
                    depth -= 1
                    if depth == 0:
                        break
                k += 1
            yield name, toks[j + 1:k]
            i = k
        i += 1


def rule_cases(path):
    toks = tokenize(open(path, encoding='utf-8').read())
    for name, body in rule_functions(toks):
        rule_id = name
        for n in range(len(body) - 2):
            if body[n][1] == 'RuleID' and body[n + 1][1] == ':' and body[n + 2][0] == 'str':
                rule_id = body[n + 2][1]
                break
        seed = int(hashlib.sha256((os.path.basename(path) + ':' + name).encode()).hexdigest()[:12], 16)
        interp = Interp(body, random.Random(seed))
        for tps, fps in interp.run():
            for v in tps if isinstance(tps, list) else []:
                if isinstance(v, str):
                    yield rule_id, 1, v
            for v in fps if isinstance(fps, list) else []:
                if isinstance(v, str):
                    yield rule_id, 0, v


# ---------------------------------------------------------------------------------------
# gitleaks.toml in Python: does any default rule fire on a text?

def go_to_python(rx):
    rx = rx.replace('\\z', '\\Z')
    rx = rx.replace('[[:alnum:]]', '[a-zA-Z0-9]').replace('[:alnum:]', 'a-zA-Z0-9')
    rx = rx.replace('\\x60', '`')
    return rx


def compile_go(rx):
    try:
        return re.compile(go_to_python(rx))
    except re.error:
        # A global flag after the start: Python wants it in front.
        m = re.match(r'^(.*?)\(\?i\)(.*)$', rx, re.S)
        if m:
            try:
                return re.compile('(?i)' + go_to_python(m.group(1) + m.group(2)))
            except re.error:
                return None
        return None


def entropy(s):
    if not s:
        return 0.0
    from math import log2
    counts = {}
    for c in s:
        counts[c] = counts.get(c, 0) + 1
    return -sum(n / len(s) * log2(n / len(s)) for n in counts.values())


class Gitleaks:
    def __init__(self, toml_path):
        cfg = tomllib.load(open(toml_path, 'rb'))
        self.global_allow = [self.allowlist(cfg.get('allowlist', {}))]
        self.rules = []
        self.uncompiled = []
        for r in cfg.get('rules', []):
            if 'regex' not in r:
                continue  # path-only rules
            rx = compile_go(r['regex'])
            if rx is None:
                self.uncompiled.append(r['id'])
                continue
            self.rules.append({
                'id': r['id'], 'regex': rx, 'group': r.get('secretGroup', 0),
                'entropy': r.get('entropy', 0), 'keywords': [k.lower() for k in r.get('keywords', [])],
                'allow': [self.allowlist(a) for a in r.get('allowlists', [])],
            })

    @staticmethod
    def allowlist(a):
        regexes = [x for x in (compile_go(r) for r in a.get('regexes', [])) if x]
        return {'regexes': regexes, 'stopwords': [s.lower() for s in a.get('stopwords', [])],
                'target': a.get('regexTarget', 'secret'), 'and': a.get('condition', 'OR') == 'AND',
                'has': bool(a.get('regexes') or a.get('stopwords'))}

    @staticmethod
    def allowed(al, secret, match, line):
        if not al['has']:
            return False
        target = {'secret': secret, 'match': match, 'line': line}.get(al['target'], secret)
        checks = []
        if al['regexes']:
            checks.append(any(r.search(target) for r in al['regexes']))
        if al['stopwords']:
            checks.append(any(s in secret.lower() for s in al['stopwords']))
        return all(checks) if al['and'] else any(checks)

    def fires(self, text):
        low = text.lower()
        for r in self.rules:
            if r['keywords'] and not any(k in low for k in r['keywords']):
                continue
            for m in r['regex'].finditer(text):
                secret = m.group(0)
                if r['group'] and r['group'] <= (m.re.groups or 0) and m.group(r['group']):
                    secret = m.group(r['group'])
                elif not r['group'] and m.re.groups:
                    for g in m.groups():
                        if g:
                            secret = g
                            break
                if r['entropy'] and entropy(secret) < r['entropy']:
                    continue
                line_start = text.rfind('\n', 0, m.start()) + 1
                line_end = text.find('\n', m.end())
                line = text[line_start:line_end if line_end >= 0 else len(text)]
                if any(self.allowed(a, secret, m.group(0), line) for a in r['allow'] + self.global_allow):
                    continue
                return r['id']
        return None


# ---------------------------------------------------------------------------------------
# Vigil's generated cases.

def vigil_cases(rng):
    def rand(alphabet, n):
        return ''.join(rng.choice(alphabet) for _ in range(n))

    pw_alpha = string.ascii_letters + string.digits + '!#%^*-_+'
    # Connection strings with inline passwords.
    templates = [
        'postgres://{u}:{p}@{h}:5432/{d}', 'postgresql://{u}:{p}@{h}/{d}?sslmode=require',
        'mongodb+srv://{u}:{p}@{h}/{d}?retryWrites=true', 'mongodb://{u}:{p}@{h}:27017/{d}',
        'mysql://{u}:{p}@{h}:3306/{d}', 'redis://{u}:{p}@{h}:6379/0', 'rediss://:{p}@{h}:6380',
        'amqp://{u}:{p}@{h}:5672/{d}', 'amqps://{u}:{p}@{h}/{d}',
        'jdbc:sqlserver://{h}:1433;databaseName={d};user={u};password={p};encrypt=true',
        'jdbc:mysql://{h}:3306/{d}?user={u}&password={p}',
        'Server={h};Database={d};User Id={u};Password={p};',
        'Data Source={h};Initial Catalog={d};User ID={u};Password={p};Encrypt=True',
        'Host={h};Port=5432;Database={d};Username={u};Password={p}',
    ]
    contexts = [
        'DATABASE_URL={c}', 'connecting to {c}', 'dsn: "{c}"', 'error: could not connect ({c})',
        '{{"conn": "{c}"}}', 'ConnectionStrings__Default="{c}"', 'retrying {c} after timeout',
    ]
    hosts = ['db.internal', 'prod-db-1.cluster-ab12cd.us-east-1.rds.amazonaws.com',
             'cluster0.x7k2p.mongodb.net', '10.0.3.17', 'localhost', 'cache.svc.local',
             'mq.prod.example.net']
    users = ['etl', 'app_user', 'admin', 'svc-reporting', 'root', 'analytics']
    dbs = ['orders', 'viewers', 'prod', 'analytics', 'main']
    for i in range(160):
        pw = rand(pw_alpha, rng.randint(10, 24))
        conn = rng.choice(templates).format(u=rng.choice(users), p=pw, h=rng.choice(hosts),
                                            d=rng.choice(dbs))
        text = rng.choice(contexts).format(c=conn)
        yield 'vigil.connection_string', 1, text, pw

    # Placeholders, documented examples and dummies: never secrets.
    placeholders = [
        'AKIAIOSFODNN7EXAMPLE', 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
        'AKIAI44QH8DHBEXAMPLE', 'je7MtGbClwBF/2Zp9Utk/h3yCo8nvbEXAMPLEKEY',
        'sk-' + 'x' * 48, 'sk-proj-' + 'X' * 40, 'sk-ant-api03-' + 'x' * 40, 'ghp_' + 'x' * 36,
        'ghp_' + 'X' * 36, 'xoxb-' + '0' * 11 + '-' + '0' * 12 + '-' + 'x' * 24, 'hf_' + 'x' * 34,
        'glpat-' + 'x' * 20, 'your-api-key-here', 'YOUR_API_KEY_HERE', 'your_secret_here',
        'your-token-here', '<API_KEY>', '<your-api-key>', '<SECRET>', '${SECRET}', '${API_KEY}',
        '${{ secrets.OPENAI_API_KEY }}', '{{ .Values.apiKey }}', '{{API_TOKEN}}', 'changeme',
        'CHANGEME', 'change-me', 'password', 'Password123', 'dummy', 'dummy-token', 'test',
        'test-key', 'testtoken', 'redacted', '[REDACTED]', '***REDACTED***', '****', '********',
        'xxxxxxxxxxxxxxxx', 'XXXXXXXXXXXXXXXXXXXX', '0000000000000000', 'aaaaaaaaaaaaaaaaaaaa',
        '1234567890abcdef', 'placeholder', 'example-key', 'sample_token', 'not-a-real-key',
        'insert-key-here', 'TODO', '...', '<redacted>', 'sk-...', 'AKIA................',
        'pk_test_' + 'x' * 24, 'sk_live_' + 'x' * 24, 'hunter2', 'secret', 'null', 'None',
        '$(cat /run/secrets/db_password)', 'os.environ["OPENAI_API_KEY"]',
        'process.env.STRIPE_SECRET_KEY', 'vault:secret/data/app#token',
    ]
    keys = ['api_key', 'OPENAI_API_KEY', 'aws_secret_access_key', 'AWS_ACCESS_KEY_ID', 'token',
            'password', 'client_secret', 'GITHUB_TOKEN', 'HF_TOKEN', 'secret', 'auth_token',
            'db_password', 'SLACK_BOT_TOKEN', 'stripe_key']
    forms = ['{k}={v}', '{k} = "{v}"', '{k}: {v}', '"{k}": "{v}"', 'export {k}={v}',
             'set {k} to {v} in your .env', "{k}='{v}'", '--{k} {v}']
    for v in placeholders:
        for f in rng.sample(forms, 3):
            yield 'vigil.placeholder', 0, f.format(k=rng.choice(keys), v=v), v
    for scheme in ['postgres', 'mysql', 'mongodb+srv', 'redis', 'amqp']:
        for pw in ['password', 'pass', '${DB_PASSWORD}', '<password>', '****', 'changeme',
                   '%s', '{password}', 'secret', 'PASSWORD']:
            text = 'DATABASE_URL=%s://user:%s@localhost:5432/app' % (scheme, pw)
            yield 'vigil.placeholder', 0, text, text
    for text in ['Password=;', 'password=', 'password: ""', "Password='';", 'Password=****;',
                 'Server=db;Database=app;User Id=sa;Password=<password>;',
                 'Server=db;Database=app;Integrated Security=true;',
                 'jdbc:postgresql://db:5432/app?user=app&password=${DB_PASS}']:
        yield 'vigil.placeholder', 0, text, text

    # Hard negatives seen in audit logs.
    hexd = '0123456789abcdef'
    for i in range(40):
        uuid = '%s-%s-4%s-%s%s-%s' % (rand(hexd, 8), rand(hexd, 4), rand(hexd, 3),
                                       rng.choice('89ab'), rand(hexd, 3), rand(hexd, 12))
        sha = rand(hexd, 40)
        sha256 = rand(hexd, 64)
        b64 = rand(string.ascii_letters + string.digits + '+/', 120)
        cases = [
            'request_id=%s trace ok' % uuid,
            'merged commit %s into main' % sha,
            'input_hash: %s' % sha256,
            '{"output_hash": "%s", "rows": 12}' % rand(hexd, 16),
            'rendered chart: data:image/png;base64,iVBORw0KGgo%s' % b64,
            'see https://docs.example.com/guides/auth?tab=%s#tokens' % rand(string.ascii_lowercase, 6),
            'postgres://%s@db.internal:5432/orders' % rng.choice(users),
            'fetched https://%s.s3.amazonaws.com/reports/%s.csv' % (rand(string.ascii_lowercase, 8), uuid),
            'session %s expired; token refreshed' % uuid,
            'sha256:%s' % sha256,
        ]
        for c in cases:
            yield 'vigil.hard_negative', 0, c, c


def split_of(group):
    h = int(hashlib.sha256(group.encode('utf-8')).hexdigest()[:8], 16)
    return 'heldout' if h % 100 < HELDOUT_PERCENT else 'train'


def main():
    root = sys.argv[1]
    rules_dir = os.path.join(root, 'cmd/generate/config/rules')
    gl = Gitleaks(os.path.join(root, 'config/gitleaks.toml'))
    print('gitleaks rules ported: %d, not compiled by Python re: %d (%s)'
          % (len(gl.rules), len(gl.uncompiled), ', '.join(gl.uncompiled)), file=sys.stderr)
    seen = set()
    rows = []
    dropped = 0
    for name in sorted(os.listdir(rules_dir)):
        if not name.endswith('.go') or name.endswith('_test.go'):
            continue
        for rule_id, label, text in rule_cases(os.path.join(rules_dir, name)):
            if not text.strip() or text in seen:
                continue
            if label == 0 and gl.fires(text):
                dropped += 1
                continue
            seen.add(text)
            group = getattr(text, 'group', None) or text
            rows.append({'text': str(text), 'label': label, 'source': 'gitleaks.' + rule_id,
                         'group': str(group)})
    for source, label, text, group in vigil_cases(random.Random(20261121)):
        if text in seen:
            continue
        seen.add(text)
        rows.append({'text': text, 'label': label, 'source': source, 'group': group})
    for n, r in enumerate(rows, 1):
        r['id'] = n
        r['split'] = split_of(r['group'])
        del r['group']
        print(json.dumps({k: r[k] for k in ('id', 'split', 'label', 'source', 'text')},
                         ensure_ascii=False))
    print('cases: %d (fps dropped because another gitleaks rule fires: %d)' % (len(rows), dropped),
          file=sys.stderr)


if __name__ == '__main__':
    main()
