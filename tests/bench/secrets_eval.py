#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Secret detection precision and recall on the labelled corpus (tests/data/secrets).

Each corpus row becomes one worker_result event whose details.output is the row's text;
`vigil-cli scan` runs over them and an event counts as flagged when it has at least one
finding of category `secret`. A row labelled 1 must be flagged, a row labelled 0 must not.

    tests/bench/secrets_eval.py [--cli build/ci/app/vigil-cli] [--split heldout|train|all]
                                [--errors]

--errors lists the misses and false alarms, and only for the train split: rules are tuned
on train, and heldout is only ever counted.
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


def event(text):
    return {
        'timestamp': '2026-11-21T10:00:00.000Z', 'event_type': 'worker_result',
        'agent_name': 'worker', 'thread_id': 't-eval', 'severity': 'info',
        'details': {'output_hash': '0', 'confidence': 0.9, 'latency_ms': 12, 'output': text},
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--cli', default=os.path.join(ROOT, 'build/ci/app/vigil-cli'))
    ap.add_argument('--corpus', default=os.path.join(ROOT, 'tests/data/secrets/corpus.jsonl'))
    ap.add_argument('--split', default='heldout', choices=['heldout', 'train', 'all'])
    ap.add_argument('--errors', action='store_true')
    a = ap.parse_args()
    if a.errors and a.split != 'train':
        sys.exit('--errors is for the train split only: heldout is never looked at')

    rows = [json.loads(l) for l in open(a.corpus, encoding='utf-8')]
    rows = [r for r in rows if a.split == 'all' or r['split'] == a.split]
    with tempfile.NamedTemporaryFile('w', suffix='.jsonl', delete=False, encoding='utf-8') as f:
        for r in rows:
            f.write(json.dumps(event(r['text']), ensure_ascii=False) + '\n')
        path = f.name
    try:
        res = subprocess.run([a.cli, 'scan', '--format', 'jsonl', path], capture_output=True,
                             text=True)
    finally:
        os.unlink(path)
    if res.returncode not in (0, 3):
        sys.exit('vigil-cli failed: ' + res.stderr.strip())
    flagged = collections.defaultdict(set)
    rejected = set()
    for line in res.stdout.splitlines():
        f = json.loads(line)
        if f['category'] == 'secret':
            flagged[f['line']].add(f['rule'])
        elif f['category'] == 'rejected':
            rejected.add(f['line'])

    tp = fp = fn = tn = 0
    misses, alarms = [], []
    for n, r in enumerate(rows, 1):
        hit = n in flagged
        if r['label'] == 1 and hit:
            tp += 1
        elif r['label'] == 1:
            fn += 1
            misses.append(r)
        elif hit:
            fp += 1
            alarms.append((r, sorted(flagged[n])))
        else:
            tn += 1
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    print('split=%s rows=%d positives=%d negatives=%d rejected=%d'
          % (a.split, len(rows), tp + fn, fp + tn, len(rejected)))
    print('TP=%d FP=%d FN=%d TN=%d' % (tp, fp, fn, tn))
    print('precision=%.4f recall=%.4f false_alarm_rate=%.4f'
          % (precision, recall, fp / (fp + tn) if fp + tn else 0.0))
    if a.errors:
        for r in misses:
            print('MISS  %-45s %r' % (r['source'], r['text'][:200]))
        for r, rules in alarms:
            print('ALARM %-45s %s %r' % (r['source'], ','.join(rules), r['text'][:200]))


if __name__ == '__main__':
    main()
