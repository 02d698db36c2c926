#!/usr/bin/env python3
"""Checks iotreg's man pages (man/) against what they describe.

  mancheck.py options PAGE HELP_DIR
      PAGE is iotregctl.8, iotregd.8 or iotreg-publish.8; HELP_DIR holds the
      program's --help output as HELP_DIR/help (and for iotregctl one file
      per command, HELP_DIR/cmd/WORDS with spaces as '_'). Every option a
      --help lists is in the page, and every option the page marks with Fl
      is one the --help lists (iotregctl: command by command, and the
      command list itself).
  mancheck.py hook PAGE HEADER
      Every function and IOTREG_HOOK_* constant the header declares is in
      iotreg_hook(3) (Fn/Fo, Dv), and the page names no other.
  mancheck.py xsd PAGE XSD
      Every element and attribute of the schema, by the element it sits in,
      is an item of iotreg.xml(5) and the page's items are all the
      schema's; optional ones say "Optional" (or "Any number", or give a
      default); every enumerated value is in the page.

Prints one line per problem and exits 1 when there is any.
"""
import os
import re
import shlex
import sys
import xml.etree.ElementTree as ET

problems = []


def problem(msg):
    problems.append(msg)


# ---------------------------------------------------------------- mdoc

MACRO = re.compile(r"^[A-Z][a-z][a-z]?$")
DELIM = {"|", ",", ".", ";", ":", "(", ")", "[", "]", "?", "!"}


def words(line):
    """The words of an mdoc macro line (without the leading dot)."""
    try:
        return shlex.split(line[1:], posix=True)
    except ValueError:
        return line[1:].split()


def flags(ws):
    """The options Fl marks among a macro line's words: Fl -foo Ar x gives
    --foo; Fl h | -help gives -h and --help."""
    out = []
    i = 0
    while i < len(ws):
        if ws[i] == "Fl":
            i += 1
            while i < len(ws) and not MACRO.match(ws[i]):
                if ws[i] not in DELIM:
                    out.append("-" + ws[i])
                i += 1
        else:
            i += 1
    return out


def lines_of(page):
    with open(page, encoding="utf-8") as f:
        return [l.rstrip("\n") for l in f if not l.startswith('.\\"')]


def sections(lines):
    """{SECTION NAME: [lines]} by .Sh."""
    out, cur = {}, None
    for l in lines:
        if l.startswith(".Sh "):
            cur = l[4:].strip()
            out[cur] = []
        elif cur is not None:
            out[cur].append(l)
    return out


def page_flags(lines):
    s = set()
    for l in lines:
        if l.startswith("."):
            s.update(flags(words(l)))
    return s


# ---------------------------------------------------------------- --help

OPT = re.compile(r"(?<![\w-])(--?[A-Za-z][\w-]*)")
DEF_LINE = re.compile(r"^\s+(-[-\w]+(?:,\s*-[-\w]+)*)\s")


def help_flags(text):
    """The options a --help lists: every option in its usage lines (up to
    the first blank line), and every option a line starting with
    whitespace and a dash defines ("  -c FILE ...", "  -h, --help ...")."""
    out = set()
    body = text.split("\n\n", 1)
    out.update(OPT.findall(body[0]))
    for l in text.splitlines():
        m = DEF_LINE.match(l)
        if m:
            out.update(OPT.findall(m.group(1)))
    return out


def compare(what, from_help, from_page):
    """Both ways; a page may document -h and --help that a --help omits."""
    for o in sorted(from_help - from_page):
        problem(f"{what}: {o} is in --help but not in the man page")
    for o in sorted(from_page - from_help - {"-h", "--help"}):
        problem(f"{what}: the man page has {o}, which --help does not list")


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def check_options(page, helpdir):
    lines = lines_of(page)
    name = os.path.basename(page).rsplit(".", 1)[0]
    top = read(os.path.join(helpdir, "help"))
    if name != "iotregctl":
        compare(name, help_flags(top), page_flags(lines))
        return
    secs = sections(lines)
    if "OPTIONS" not in secs or "COMMANDS" not in secs:
        problem("iotregctl.8 has no OPTIONS or no COMMANDS section")
        return
    # The global options.
    opt_lines = top.split("commands:")[0]
    compare("iotregctl", help_flags(opt_lines), page_flags(secs["OPTIONS"]))
    # The commands: items ".It Ic WORDS ..." of COMMANDS' outer list.
    cmds_help = []
    for l in top.split("commands:", 1)[1].splitlines():
        if l.strip():
            cmds_help.append(re.split(r"\s{2,}", l.strip())[0])
    page_cmds = {}
    depth, cur = 0, None
    for l in secs["COMMANDS"]:
        if l.startswith(".Bl"):
            depth += 1
            continue
        if l.startswith(".El"):
            depth -= 1
            continue
        ws = words(l) if l.startswith(".") else []
        if depth == 1 and ws[:2] == ["It", "Ic"]:
            cw = []
            for w in ws[2:]:
                if MACRO.match(w):
                    break
                cw.append(w)
            cur = " ".join(cw)
            page_cmds.setdefault(cur, set())
        if cur is not None and ws:
            page_cmds[cur].update(flags(ws))
    for c in cmds_help:
        if c not in page_cmds:
            problem(f"iotregctl: command '{c}' is in --help but not in the man page")
    for c in page_cmds:
        if c not in cmds_help:
            problem(f"iotregctl: the man page has command '{c}', which --help does not list")
    globals_ = {"-c", "-h", "--help"}
    for c in cmds_help:
        if c not in page_cmds:
            continue
        path = os.path.join(helpdir, "cmd", c.replace(" ", "_"))
        compare(f"iotregctl {c}", help_flags(read(path)) - globals_, page_cmds[c] - globals_)


# ---------------------------------------------------------------- the hook

def check_hook(page, header):
    text = read(header)
    text_nc = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    funcs = set(re.findall(r"^[A-Za-z_][\w \t\*]*?\b(iotreg_hook_\w+)\(", text_nc, re.M))
    consts = set(re.findall(r"\b(IOTREG_HOOK_[A-Z0-9_]+)\b", text_nc)) - {"IOTREG_HOOK_H"}
    pf, pc = set(), set()
    for l in lines_of(page):
        if not l.startswith("."):
            continue
        ws = words(l)
        for i, w in enumerate(ws[:-1]):
            if w in ("Fn", "Fo") and ws[i + 1].startswith("iotreg_hook_"):
                pf.add(ws[i + 1])
            if w == "Dv" and ws[i + 1].startswith("IOTREG_HOOK_"):
                pc.add(ws[i + 1])
    if not funcs or not consts:
        problem(f"{header}: found no function or no constant (the check is broken)")
    for f in sorted(funcs - pf):
        problem(f"iotreg_hook(3): {f} is declared in the header but not documented")
    for f in sorted(pf - funcs):
        problem(f"iotreg_hook(3): documents {f}, which the header does not declare")
    for c in sorted(consts - pc):
        problem(f"iotreg_hook(3): {c} is in the header but not in the page (Dv)")
    for c in sorted(pc - consts):
        problem(f"iotreg_hook(3): names {c}, which the header does not define")


# ---------------------------------------------------------------- the XSD

XS = "{http://www.w3.org/2001/XMLSchema}"


def xsd_model(path):
    """{key: optional?} for every element ("PARENT/NAME") and attribute
    ("GRANDPARENT/PARENT/@NAME") of the schema, and its enumerated values."""
    root = ET.parse(path).getroot()
    ctypes = {c.get("name"): c for c in root.findall(XS + "complexType")}
    keys, enums = {}, set()
    for e in root.iter(XS + "enumeration"):
        enums.add(e.get("value"))
    seen = set()

    def local(t):
        return t.split(":", 1)[1] if t and ":" in t else t

    def walk(node, parent, grand, in_choice):
        for ch in node:
            tag = ch.tag
            if tag == XS + "element":
                name = ch.get("name")
                opt = ch.get("minOccurs") == "0"
                key = f"{parent}/{name}"
                keys[key] = keys.get(key, False) or (None if in_choice else opt)
                visit_element(ch, name, parent)
            elif tag == XS + "attribute":
                name = ch.get("name")
                opt = ch.get("use") != "required"
                keys[f"{grand}/{parent}/@{name}"] = opt
            elif tag == XS + "choice":
                walk(ch, parent, grand, True)
            elif tag in (XS + "sequence", XS + "all", XS + "complexType",
                         XS + "simpleContent", XS + "complexContent"):
                walk(ch, parent, grand, in_choice)
            elif tag in (XS + "extension", XS + "restriction"):
                base = local(ch.get("base"))
                if base in ctypes:
                    walk(ctypes[base], parent, grand, in_choice)
                walk(ch, parent, grand, in_choice)

    def visit_element(el, name, parent):
        t = local(el.get("type"))
        if t in ctypes:
            if (parent, name, t) in seen:
                return
            seen.add((parent, name, t))
            walk(ctypes[t], name, parent, False)
        walk(el, name, parent, False)

    for el in root.findall(XS + "element"):
        keys[f"/{el.get('name')}"] = False
        visit_element(el, el.get("name"), "")
    return keys, enums


ELEM = re.compile(r"^<([\w-]+)>$")


def page_model(page):
    """{key: item text} for the page's items, keyed as xsd_model does: the
    context is a subsection ".Ss <A>" (or "<A> <B>"), then the element
    items ".It Ic <X>" whose nested lists an item sits in."""
    keys = {}
    stack = []  # element names (None for a list under a non-element item)
    items = []  # the current item's element name at each list depth
    cur_key = None
    text = []

    def flush():
        if cur_key is not None:
            keys[cur_key] = keys.get(cur_key, "") + " ".join(text)

    in_elements = False
    for l in lines_of(page):
        if l.startswith(".Sh "):
            flush()
            cur_key, text = None, []
            in_elements = False
            continue
        if l.startswith(".Ss "):
            flush()
            cur_key, text = None, []
            names = re.findall(r"<([\w-]+)>", l)
            in_elements = bool(names)
            stack = list(names)
            items = []
            if names == ["iotreg"]:
                cur_key = "/iotreg"
            continue
        if not in_elements:
            continue
        if l.startswith(".Bl"):
            stack.append(items[-1] if items else None)
            items.append(None)
            continue
        if l.startswith(".El"):
            stack.pop()
            items.pop()
            continue
        ws = words(l) if l.startswith(".") else []
        if ws[:1] == ["It"] and items:
            flush()
            text = []
            elems = [s for s in stack if s is not None]
            parent = elems[-1] if elems else ""
            grand = elems[-2] if len(elems) > 1 else ""
            if ws[1:2] == ["Ic"] and ELEM.match(ws[2]):
                name = ELEM.match(ws[2]).group(1)
                items[-1] = name
                cur_key = f"{parent}/{name}"
            elif ws[1:2] == ["Cm"]:
                items[-1] = None
                cur_key = f"{grand}/{parent}/@{ws[2]}"
            else:
                items[-1] = None
                cur_key = None
            continue
        text.append(" ".join(ws[1:]) if ws else l)
    flush()
    return keys


def check_xsd(page, xsd):
    want, enums = xsd_model(xsd)
    have = page_model(page)
    if len(want) < 20:
        problem(f"{xsd}: only {len(want)} names found (the check is broken)")
    for k in sorted(set(want) - set(have)):
        problem(f"iotreg.xml(5): the schema has {k}, the page does not")
    for k in sorted(set(have) - set(want)):
        problem(f"iotreg.xml(5): documents {k}, which the schema does not have")
    for k in sorted(set(want) & set(have)):
        opt, txt = want[k], have[k]
        said = bool(re.match(r"\s*(Optional|Any number)", txt)) or (
            "@" in k and "default" in txt)
        if opt is True and not said:
            problem(f"iotreg.xml(5): {k} is optional in the schema; say so (Optional ...)")
        if opt is False and re.match(r"\s*Optional", txt):
            problem(f"iotreg.xml(5): {k} is required in the schema, the page says optional")
    body = read(page)
    for v in sorted(enums):
        if not re.search(r"(?<![\w-])" + re.escape(v) + r"(?![\w-])", body):
            problem(f"iotreg.xml(5): the schema's value '{v}' is not in the page")


def main(argv):
    if len(argv) != 4 or argv[1] not in ("options", "hook", "xsd"):
        sys.stderr.write(__doc__)
        return 2
    {"options": check_options, "hook": check_hook, "xsd": check_xsd}[argv[1]](argv[2], argv[3])
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
