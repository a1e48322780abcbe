# SPDX-License-Identifier: Apache-2.0
"""The prompt-injection classifier's features and scoring, in Python, bit for bit as
core/scan/injectionclassifier.cpp and core/scan/textnormalizer.cpp compute them.

The text is first put in the scanner's *phrase view* (TextNormalizer: raw view = NFKC
compatibility decomposition with marks and invisible characters dropped; then case folded,
homoglyphs folded with resources/rules/confusables.json, leetspeak inside words mapped,
separator runs collapsed to one space or ':', spaced-out letters joined). The view is cut into
windows of WINDOW code points (stride STRIDE, at most MAX_WINDOWS); each window yields hashed
features:

- word unigrams `w:<token>` and bigrams `b:<t1> <t2>` (tokens split at ' ' and ':'),
- character n-grams `c:<n code points>` for n in NGRAM_MIN..NGRAM_MAX over ' ' + window + ' '
  (code points, not bytes, so CJK text has its own n-grams without word splitting).

Each feature is FNV-1a 64 over its UTF-8 bytes, masked to BUCKET_BITS bits; a window's
distinct buckets each have value 1/sqrt(count). score = sigmoid(bias + sum w[b] * value),
and a text's score is that of its highest window. Standard library only.
"""

import json
import math
import os
import unicodedata

WINDOW = 1024
STRIDE = 512
MAX_WINDOWS = 16
NGRAM_MIN = 2
NGRAM_MAX = 5
BUCKET_BITS = 20

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def fnv1a64(data):
    h = 0xcbf29ce484222325
    for b in data:
        h = ((h ^ b) * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def load_confusables(path=os.path.join(ROOT, 'resources/rules/confusables.json')):
    doc = json.load(open(path, encoding='utf-8'))
    table = {}
    for target, cps in doc.get('confusables', {}).items():
        for cp in cps:
            table[int(cp, 16)] = target
    for r in doc.get('confusable_ranges', []):
        lo, hi = int(r['from'], 16), int(r['to'], 16)
        for c in range(lo, hi + 1):
            table[c] = chr(ord(r['target']) + c - lo)
    return table


def is_invisible(c):
    if c < 0xAD:
        return False
    return (c == 0x00AD or c == 0x034F or c == 0x061C or c == 0x115F or c == 0x1160 or
            c == 0x17B4 or c == 0x17B5 or 0x180B <= c <= 0x180F or 0x200B <= c <= 0x200F or
            0x202A <= c <= 0x202E or 0x2060 <= c <= 0x206F or c == 0x3164 or
            0xFE00 <= c <= 0xFE0F or c == 0xFEFF or c == 0xFFA0 or 0xFFF9 <= c <= 0xFFFB or
            0x1BCA0 <= c <= 0x1BCA3 or 0x1D173 <= c <= 0x1D17A or 0xE0000 <= c <= 0xE0FFF)


def is_mark(ch):
    return unicodedata.category(ch) in ('Mn', 'Me')


def raw_view(text):
    """TextNormalizer::raw (its ASCII input is its own raw view)."""
    if text.isascii():
        return text
    out = []
    for ch in text:
        c = ord(ch)
        if c < 0x80:
            out.append(ch)
            continue
        if 0xE0000 <= c <= 0xE007F or is_invisible(c) or is_mark(ch):
            continue
        dec = unicodedata.normalize('NFKD', ch)
        for d in dec:
            if not is_mark(d) and not is_invisible(ord(d)):
                out.append(d)
    return ''.join(out)


def simple_fold(ch):
    f = ch.casefold()
    if len(f) == 1:
        return f
    lo = ch.lower()
    return lo if len(lo) == 1 else ch


def icu_alnum(ch):
    return unicodedata.category(ch) in ('Lu', 'Ll', 'Lt', 'Lm', 'Lo', 'Nd')


LEET = {ord('0'): ord('o'), ord('1'): ord('i'), ord('3'): ord('e'), ord('4'): ord('a'),
        ord('5'): ord('s'), ord('7'): ord('t'), ord('8'): ord('b'), ord('9'): ord('g'),
        ord('@'): ord('a'), ord('$'): ord('s')}


def _alpha(b):
    return 97 <= (b | 0x20) <= 122


def _alnum(b):
    return _alpha(b) or 48 <= b <= 57


class _Writer:
    """PhraseWriter of textnormalizer.cpp, over bytes."""

    def __init__(self):
        self.buf = bytearray()
        self.pending_sep = False
        self.sep_colon = False
        self.sep_run = 0
        self.in_token = False
        self.tok_start = 0
        self.tok_alpha = False
        self.tok_leet = False
        self.tok_after_soft = False
        self.prev_single = False
        self.single_run = 0
        self.max_single_run = 0
        self.soft_seps = []

    def begin(self):
        if self.in_token:
            return
        self.tok_after_soft = False
        if self.pending_sep and self.buf:
            self.tok_after_soft = self.sep_run == 1 and not self.sep_colon
            if self.tok_after_soft and self.prev_single:
                self.soft_seps.append(len(self.buf))
            self.buf.append(ord(':') if self.sep_colon else ord(' '))
        self.pending_sep = False
        self.sep_colon = False
        self.in_token = True
        self.tok_start = len(self.buf)
        self.tok_alpha = False
        self.tok_leet = False

    def end_token(self):
        if not self.in_token:
            return
        self.in_token = False
        if self.tok_alpha and self.tok_leet:
            for k in range(self.tok_start, len(self.buf)):
                self.buf[k] = LEET.get(self.buf[k], self.buf[k])
        single = len(self.buf) - self.tok_start == 1 and _alpha(self.buf[self.tok_start])
        if single:
            self.single_run = self.single_run + 1 if (self.prev_single and self.tok_after_soft) else 1
        else:
            self.single_run = 0
        self.max_single_run = max(self.max_single_run, self.single_run)
        self.prev_single = single

    def word(self, b, alpha, leetable):
        self.begin()
        self.buf.append(b)
        self.tok_alpha = self.tok_alpha or alpha
        self.tok_leet = self.tok_leet or leetable

    def separator(self, colon):
        self.end_token()
        if not self.pending_sep:
            self.pending_sep = True
            self.sep_run = 0
        self.sep_run += 1
        self.sep_colon = self.sep_colon or colon

    def finish(self):
        self.end_token()
        b = self.buf
        if self.pending_sep and self.sep_colon and b:
            b.append(ord(':'))
        if self.max_single_run < 4 or not self.soft_seps:
            return bytes(b)
        drop = set()
        w = len(b)
        for p in self.soft_seps:
            n = p + 1
            if n < w and _alpha(b[n]) and (n + 1 == w or b[n + 1] in (32, 58)):
                drop.add(p)
        return bytes(x for i, x in enumerate(b) if i not in drop)


def phrase_view(text, confusables):
    """TextNormalizer::phrase of the raw view of `text`, as str."""
    t = raw_view(text)
    w = _Writer()
    data = t.encode('utf-8')
    i = 0
    chars = list(t)
    # Walk code points, keeping the byte index to look at the next byte for '@' / '$'.
    bi = 0
    for idx, ch in enumerate(chars):
        c = ord(ch)
        nb = len(ch.encode('utf-8'))
        if c < 0x80:
            if _alnum(c):
                w.begin()
                if _alpha(c):
                    w.buf.append(c | 0x20)
                    w.tok_alpha = True
                else:
                    w.buf.append(c)
                    w.tok_leet = True
            elif ch == ':':
                w.separator(True)
            elif ch in '@$':
                nxt = data[bi + 1] if bi + 1 < len(data) else 0
                if w.in_token and _alnum(w.buf[-1]) and bi + 1 < len(data) and nxt < 0x80 and _alnum(nxt):
                    w.word(c, False, True)
                else:
                    w.separator(False)
            else:
                w.separator(False)
            bi += nb
            continue
        bi += nb
        if is_invisible(c) or is_mark(ch):
            continue
        rep = confusables.get(c)
        folded = ch
        if rep is None:
            folded = simple_fold(ch)
            rep = confusables.get(ord(folded))
        if rep is not None:
            for r in rep.encode('ascii'):
                w.word(r, _alpha(r), 48 <= r <= 57)
        elif icu_alnum(folded):
            for b in folded.encode('utf-8'):
                w.word(b, True, False)
        else:
            w.separator(False)
    del i
    return w.finish().decode('utf-8')


def windows(view):
    """Code point windows of the phrase view: [(start, end)]."""
    n = len(view)
    out = []
    start = 0
    while True:
        end = min(n, start + WINDOW)
        out.append((start, end))
        if end >= n or len(out) == MAX_WINDOWS:
            return out
        start += STRIDE


MASK = (1 << BUCKET_BITS) - 1


def grams(window):
    """Every feature string of one window, in a fixed order."""
    toks = [t for t in window.replace(':', ' ').split(' ') if t]
    out = ['w:' + t for t in toks]
    out += ['b:' + a + ' ' + b for a, b in zip(toks, toks[1:])]
    padded = ' ' + window + ' '
    for n in range(NGRAM_MIN, NGRAM_MAX + 1):
        for i in range(len(padded) - n + 1):
            out.append('c:' + padded[i:i + n])
    return out


def features(window):
    """Distinct buckets of one window and their common value."""
    buckets = {fnv1a64(g.encode('utf-8')) & MASK for g in grams(window)}
    if not buckets:
        return [], 0.0
    return sorted(buckets), 1.0 / math.sqrt(len(buckets))


def sigmoid(z):
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


class Model:
    def __init__(self, bias, weights):
        self.bias = bias
        self.weights = weights  # bucket -> float

    def window_score(self, window):
        b, v = features(window)
        return sigmoid(self.bias + v * sum(self.weights.get(x, 0.0) for x in b))

    def score(self, text, confusables):
        view = phrase_view(text, confusables)
        return max(self.window_score(view[s:e]) for s, e in windows(view))

    @staticmethod
    def load(path):
        bias, scale, weights = 0.0, 1.0, {}
        for line in open(path, encoding='ascii'):
            line = line.strip()
            if not line or line.startswith('#'):
                continue
            parts = line.split()
            if parts[0] == 'bias':
                bias = float(parts[1])
            elif parts[0] == 'scale':
                scale = float(parts[1])
            elif parts[0].isdigit():
                weights[int(parts[0])] = int(parts[1]) * scale
        return Model(bias, weights)
