#!/usr/bin/env python3
"""Wraps the Chinese text of the page templates in the translation call.

    python3 scripts/i18n-wrap.py [--check] [templates...]

Every run of visible Chinese text (a text node, one line at a time) and every Chinese piece of an
attribute value becomes `{{ chrome.t("…") }}`, the catalogue's key being the simplified text
itself. Askama's own constructs ({{ }}, {% %}, {# #}), HTML comments, <script> and <style> are
left alone, so text already wrapped is never wrapped again: running it twice changes nothing, and
it is safe on new templates. Text inside askama expressions (string literals) is not touched:
wrap such values by hand with `chrome.t(…)`.

With --check it changes nothing and exits 1 listing the templates it would change.
After wrapping, run `cargo test -p zhichan-server --test stories i18n::every_message_is_catalogued` to
get the new keys, ready to paste into locales/en.toml.
"""

import pathlib
import re
import sys

CALL = 'chrome.t'


def is_cjk(c):
    o = ord(c)
    return (0x3000 <= o <= 0x303F or 0x3400 <= o <= 0x4DBF or 0x4E00 <= o <= 0x9FFF
            or 0xF900 <= o <= 0xFAFF or 0xFF01 <= o <= 0xFF60 or 0x2018 <= o <= 0x201D
            or o in (0x2026, 0x2014, 0x00B7))


def literal(s):
    return '"' + s.replace('\\', '\\\\').replace('"', '\\"') + '"'


def wrap_plain(text):
    """Wraps each line of `text` (no askama inside) that has Chinese in it."""
    out = []
    for line in re.split(r'(\n)', text):
        if line == '\n' or not any(is_cjk(c) for c in line):
            out.append(line)
            continue
        stripped = line.strip()
        start = line.index(stripped)
        lead, tail = line[:start], line[start + len(stripped):]
        # An entity (&amp;) stays outside the call: the call's output is escaped.
        parts = re.split(r'(&[#A-Za-z0-9]+;)', stripped)
        wrapped = ''.join(
            p if (p.startswith('&') and p.endswith(';')) or not any(is_cjk(c) for c in p)
            else '{{ %s(%s) }}' % (CALL, literal(p))
            for p in parts)
        out.append(lead + wrapped + tail)
    return ''.join(out)


ASKAMA = re.compile(r'\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}', re.S)


def wrap_mixed(text):
    """Wraps the Chinese between askama constructs of `text`."""
    out, pos = [], 0
    for m in ASKAMA.finditer(text):
        out.append(wrap_plain(text[pos:m.start()]))
        out.append(m.group(0))
        pos = m.end()
    out.append(wrap_plain(text[pos:]))
    return ''.join(out)


def wrap_tag(tag):
    """Wraps the Chinese in a tag's quoted attribute values."""
    out, pos = [], 0
    # Quoted values, skipping askama constructs (which may hold quotes of their own).
    token = re.compile(r'\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}|"[^"]*"|\'[^\']*\'', re.S)
    for m in token.finditer(tag):
        out.append(tag[pos:m.start()])
        t = m.group(0)
        if t[0] in '"\'':
            out.append(t[0] + wrap_mixed(t[1:-1]) + t[0])
        else:
            out.append(t)
        pos = m.end()
    out.append(tag[pos:])
    return ''.join(out)


def wrap(src):
    out, i, n = [], 0, len(src)
    text_start = 0

    def flush(end):
        out.append(wrap_mixed(src[text_start:end]))

    while i < n:
        if src.startswith('{{', i) or src.startswith('{%', i) or src.startswith('{#', i):
            close = {'{{': '}}', '{%': '%}', '{#': '#}'}[src[i:i + 2]]
            j = src.find(close, i + 2)
            j = n if j < 0 else j + 2
            i = j
            continue
        if src.startswith('<!--', i):
            flush(i)
            j = src.find('-->', i)
            j = n if j < 0 else j + 3
            out.append(src[i:j])
            i = text_start = j
            continue
        if src[i] == '<' and i + 1 < n and (src[i + 1].isalpha() or src[i + 1] in '/!'):
            flush(i)
            # The tag ends at the first '>' outside quotes and askama constructs.
            j, quote = i + 1, None
            while j < n:
                if quote:
                    if src[j] == quote:
                        quote = None
                    j += 1
                elif src.startswith('{{', j) or src.startswith('{%', j) or src.startswith('{#', j):
                    close = {'{{': '}}', '{%': '%}', '{#': '#}'}[src[j:j + 2]]
                    k = src.find(close, j + 2)
                    j = n if k < 0 else k + 2
                elif src[j] in '"\'':
                    quote = src[j]
                    j += 1
                elif src[j] == '>':
                    j += 1
                    break
                else:
                    j += 1
            tag = src[i:j]
            out.append(wrap_tag(tag))
            i = text_start = j
            name = re.match(r'<\s*([A-Za-z]+)', tag)
            if name and name.group(1).lower() in ('script', 'style'):
                end = src.lower().find('</%s' % name.group(1).lower(), i)
                end = n if end < 0 else end
                out.append(src[i:end])
                i = text_start = end
            continue
        i += 1
    flush(n)
    return ''.join(out)


def main(argv):
    check = '--check' in argv
    files = [a for a in argv if not a.startswith('--')]
    root = pathlib.Path(__file__).resolve().parent.parent
    paths = [pathlib.Path(f) for f in files] or sorted(
        (root / 'crates' / 'server' / 'templates').glob('**/*.html'))
    changed = []
    for p in paths:
        src = p.read_text(encoding='utf-8')
        new = wrap(src)
        if new != src:
            changed.append(str(p))
            if not check:
                p.write_text(new, encoding='utf-8')
    for c in changed:
        print(('would wrap ' if check else 'wrapped ') + c)
    return 1 if (check and changed) else 0


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
