"""Design proposals checked against their template and the policy's required sections.

A proposal is held to the template in force when it was added: the template as it stood in the
commit that added the proposal's file (the current template when it did not exist yet then).
The required sections are the template's headings (its own nesting) merged with the policy's list.
"""

from __future__ import annotations

import difflib
import posixpath
import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from markdown_it import MarkdownIt
from markdown_it.token import Token

from charter.checks.files import MAX_TEXT_BYTES, decode_text, glob_regex, too_large
from charter.checks.findings import Finding, Severity
from charter.git.objects import TreeEntry

CHECK = "proposals"

#: Below this difflib ratio a heading is not taken for a misspelling of a required section.
CLOSE_MATCH = 0.8


@dataclass(frozen=True, slots=True)
class SectionSpec:
    """A section a proposal must have; `level` is the template's heading level when known."""

    title: str
    level: int | None = None
    children: tuple[SectionSpec, ...] = ()
    required: bool = True
    # One of a numbered series in the template (`Story 1`, `Story 2`): an example of the form,
    # so never required and matched only by its own name, never by a look-alike.
    placeholder: bool = False


@dataclass(frozen=True, slots=True)
class ProposalRules:
    """Where proposals live, their template (a path in the repository) and required sections."""

    globs: tuple[str, ...]
    template: str | None = None
    sections: tuple[SectionSpec, ...] = ()


LLM_D_RULES = ProposalRules(
    globs=("docs/proposals/*.md",),
    template="docs/proposals/PROPOSAL_TEMPLATE.md",
    sections=(
        SectionSpec("Summary"),
        SectionSpec("Motivation", children=(SectionSpec("Goals"), SectionSpec("Non-Goals"))),
        SectionSpec("Proposal"),
        SectionSpec("Design Details"),
        SectionSpec("Alternatives"),
    ),
)
LLAMA_STACK_RULES = ProposalRules(globs=("rfcs/*.md",))


@dataclass(frozen=True, slots=True)
class Heading:
    """A Markdown heading: level 1-6, its text without markup or numbering, 1-based line."""

    level: int
    text: str
    line: int


@dataclass(slots=True)
class _Doc:
    headings: list[Heading]
    # content_after[i]: some real content sits between heading i and heading i + 1.
    content_after: list[bool]
    title: int | None  # index of the document's title heading, never matched to a section


@dataclass(slots=True)
class _Node:
    spec: SectionSpec
    parent: int | None
    index: int  # position among its siblings
    match: int | None = None  # index into _Doc.headings
    how: str = ""  # "exact", "loose" (case or punctuation), "contains" (more words), "close"
    flagged: bool = False  # already reported as misplaced
    children: list[int] = field(default_factory=list)


_MD = MarkdownIt("commonmark")
_NUMBERING = re.compile(r"^(?:\d+(?:\.\d+)*\.?|[A-Za-z]\.|[IVXivx]+\.)\s+")
_OPTIONAL = re.compile(r"\s*[\(\[]\s*optional\s*[\)\]]\s*$|^optional\s*:\s*", re.IGNORECASE)
_COMMENTS_ONLY = re.compile(r"\A(?:\s*<!--.*?-->)*\s*\Z", re.DOTALL)


def _strip_front_matter(text: str) -> str:
    """Blank out YAML front matter so its closing `---` is not read as a setext heading."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        return text
    for end in range(1, len(lines)):
        if lines[end].rstrip() in ("---", "..."):
            return "\n".join([""] * (end + 1) + lines[end + 1:])
    return text


def _plain(inline: Token) -> str:
    parts = [c.content for c in inline.children or () if c.type in ("text", "code_inline")]
    return " ".join("".join(parts).split())


def clean_title(raw: str) -> str:
    """A heading's text as compared with section titles: no numbering, trailing colon or spaces."""
    text = _NUMBERING.sub("", " ".join(raw.split()))
    return text.rstrip(":").strip()


def _parse(text: str) -> _Doc:
    tokens = _MD.parse(_strip_front_matter(text))
    headings: list[Heading] = []
    content_after: list[bool] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.type == "heading_open":
            line = tok.map[0] + 1 if tok.map else 0
            headings.append(Heading(int(tok.tag[1]), clean_title(_plain(tokens[i + 1])), line))
            content_after.append(False)
            i += 3
            continue
        if headings and tok.level == 0 and not tok.type.endswith("_close"):
            if tok.type == "html_block" and _COMMENTS_ONLY.match(tok.content):
                pass  # a template's guidance comment left in place is not content
            elif tok.type != "hr":
                content_after[-1] = True
        i += 1
    title = None
    if len(headings) > 1:
        top = min(h.level for h in headings)
        if headings[0].level == top and sum(h.level == top for h in headings) == 1:
            title = 0
    return _Doc(headings, content_after, title)


def parse_headings(text: str) -> list[Heading]:
    """The headings of a Markdown text, as CommonMark reads them (not inside code fences)."""
    return _parse(text).headings


def template_sections(text: str) -> tuple[SectionSpec, ...]:
    """The sections a template asks for, nested as its headings are; its title is left out.

    A heading marked "(optional)" becomes a section that is checked when present but not required,
    and so do the headings under it. A numbered series of sibling headings (`Story 1`, `Story 2`)
    are placeholders for headings the author names, never required.
    """
    doc = _parse(text)
    root: list[_Draft] = []
    stack: list[_Draft] = []
    for i, h in enumerate(doc.headings):
        if i == doc.title or not h.text:
            continue
        title = _OPTIONAL.sub("", h.text).strip()
        node = _Draft(h.level, title, title == h.text)
        while stack and stack[-1].level >= h.level:
            stack.pop()
        (stack[-1].children if stack else root).append(node)
        stack.append(node)
    return _freeze(root, required=True)


_SERIES = re.compile(r"^(.*?)\s*(\d+)$")


def _freeze(drafts: Sequence[_Draft], required: bool) -> tuple[SectionSpec, ...]:
    """DRAFTS as sections; REQUIRED is False under an optional section."""
    stems = Counter(m.group(1).casefold() for d in drafts if (m := _SERIES.match(d.title)))
    out: list[SectionSpec] = []
    for d in drafts:
        series = _SERIES.match(d.title)
        placeholder = series is not None and stems[series.group(1).casefold()] > 1
        own = required and d.required and not placeholder
        out.append(SectionSpec(d.title, d.level, _freeze(d.children, own), own, placeholder))
    return tuple(out)


@dataclass(slots=True)
class _Draft:
    level: int
    title: str
    required: bool
    children: list[_Draft] = field(default_factory=list)


def _key(title: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", title.casefold())


def _words(title: str) -> str:
    return " ".join(re.sub(r"[^0-9a-z]+", " ", title.casefold()).split())


def merge_sections(template: Sequence[SectionSpec],
                   policy: Sequence[SectionSpec]) -> tuple[SectionSpec, ...]:
    """The template's sections in its order, with the policy's added where the policy puts them.

    A section in both keeps the template's title, level and order and both lists of children;
    the policy can make a template's optional section required, never the other way round.
    """
    out = list(template)
    last = -1  # where the previous policy section landed
    for spec in policy:
        pos = next((i for i, t in enumerate(out) if _key(t.title) == _key(spec.title)), None)
        if pos is None:
            last += 1
            out.insert(last, spec)
            continue
        have = out[pos]
        out[pos] = replace(have, children=merge_sections(have.children, spec.children),
                           required=have.required or spec.required)
        last = max(last, pos)
    return tuple(out)


def _flatten(sections: Sequence[SectionSpec]) -> list[_Node]:
    nodes: list[_Node] = []

    def walk(specs: Sequence[SectionSpec], parent: int | None) -> None:
        for index, spec in enumerate(specs):
            nodes.append(_Node(spec, parent, index))
            me = len(nodes) - 1
            if parent is not None:
                nodes[parent].children.append(me)
            walk(spec.children, me)

    walk(sections, None)
    return nodes


def _descendants(nodes: list[_Node], n: int) -> set[int]:
    out: set[int] = set()
    todo = list(nodes[n].children)
    while todo:
        c = todo.pop()
        out.add(c)
        todo.extend(nodes[c].children)
    return out


def _region_end(doc: _Doc, nodes: list[_Node], n: int) -> int:
    """Index of the first heading after node N's heading that ends its section.

    Headings matched to N's own sub-sections never end it, so a sub-section at the wrong level
    is reported as such rather than as "outside its parent".
    """
    start = nodes[n].match
    assert start is not None
    inner = {nodes[d].match for d in _descendants(nodes, n)} - {None}
    level = doc.headings[start].level
    for j in range(start + 1, len(doc.headings)):
        if doc.headings[j].level <= level and j not in inner:
            return j
    return len(doc.headings)


def _similarity(a: str, b: str) -> float:
    """difflib's ratio, skipping the full comparison when its cheap upper bounds already fail."""
    sm = difflib.SequenceMatcher(None, a, b)
    if sm.real_quick_ratio() < CLOSE_MATCH or sm.quick_ratio() < CLOSE_MATCH:
        return 0.0
    return sm.ratio()


def _stems(title: str) -> tuple[str, ...]:
    """TITLE's words, a plural reduced to its singular (`Stories` -> `story`)."""
    out: list[str] = []
    for word in _words(title).split():
        if len(word) > 3 and word.endswith("ies"):
            word = word[:-3] + "y"
        elif len(word) > 2 and word.endswith("s") and not word.endswith("ss"):
            word = word[:-1]
        out.append(word)
    return tuple(out)


def _contains(heading: str, title: str) -> bool:
    """Whether HEADING is TITLE with more words around it (`Alternatives Considered`)."""
    h, t = _stems(heading), _stems(title)
    return bool(t) and len(h) > len(t) and any(
        h[i:i + len(t)] == t for i in range(len(h) - len(t) + 1))


def _following(doc: _Doc, nodes: list[_Node], n: int) -> range:
    """The headings after node N's heading up to the next one matched to a section outside N:
    where a sub-section of N under a longer name, or at the wrong level, may still be."""
    start = nodes[n].match
    assert start is not None
    mine = _descendants(nodes, n) | {n}
    later = [m.match for i, m in enumerate(nodes)
             if i not in mine and m.match is not None and m.match > start]
    return range(start + 1, min(later, default=len(doc.headings)))


def _match(doc: _Doc, nodes: list[_Node]) -> None:
    taken: set[int] = set() if doc.title is None else {doc.title}
    # A proposal may keep the template's "(optional)" mark on a heading: it is the same section.
    bare = [_OPTIONAL.sub("", h.text).strip() for h in doc.headings]
    tiers: tuple[tuple[str, Callable[[str, SectionSpec], float]], ...] = (
        ("exact", lambda t, s: 1.0 if t == s.title else 0.0),
        ("loose", lambda t, s: 1.0 if _key(t) and _key(t) == _key(s.title) else 0.0),
        ("contains", lambda t, s: 1.0 if _contains(t, s.title) else 0.0),
        ("close", lambda t, s: _similarity(_words(t), _words(s.title))),
    )
    # A heading that names another section is that section (or its duplicate), never a longer
    # name of this one: `Non-Goals` is not `Goals` under another name.
    titles = {_key(n.spec.title) for n in nodes}
    others = [h.level for j, h in enumerate(doc.headings) if j != doc.title]
    top = min(others) if others else 0
    for how, score in tiers:
        floor = CLOSE_MATCH if how == "close" else 1.0
        for node in nodes:
            if node.match is not None or (node.spec.placeholder and how in ("contains", "close")):
                continue
            inside: range | None = None
            near: range | None = None
            if node.parent is not None and nodes[node.parent].match is not None:
                pm = nodes[node.parent].match
                assert pm is not None
                inside = range(pm + 1, _region_end(doc, nodes, node.parent))
                near = _following(doc, nodes, node.parent)
            best: tuple[float, bool, int] | None = None
            for j, h in enumerate(doc.headings):
                if j in taken:
                    continue
                if how == "contains" and (
                        _key(bare[j]) in titles
                        or (node.parent is None and h.level != top)
                        or (node.parent is not None and (near is None or j not in near))):
                    continue  # a longer name counts only where the section belongs
                s = score(bare[j], node.spec)
                if s < floor:
                    continue
                # Best score first, then a heading inside the parent's section, then the first.
                cand = (s, inside is not None and j in inside, -j)
                if best is None or cand > best:
                    best = cand
            if best is not None:
                node.match, node.how = -best[2], how
                taken.add(-best[2])


def _lis(values: list[int]) -> set[int]:
    """Positions of one longest increasing subsequence of VALUES (quadratic; lists are short)."""
    if not values:
        return set()
    length = [1] * len(values)
    prev = [-1] * len(values)
    for i in range(len(values)):
        for j in range(i):
            if values[j] < values[i] and length[j] + 1 > length[i]:
                length[i], prev[i] = length[j] + 1, j
    i = max(range(len(values)), key=lambda k: (length[k], -k))
    out: set[int] = set()
    while i != -1:
        out.add(i)
        i = prev[i]
    return out


def _hashes(level: int) -> str:
    return "#" * max(1, min(6, level))


def check_proposal_text(path: str, text: str, required_sections: Sequence[SectionSpec], *,
                        commit: str | None = None, held_to: str | None = None) -> list[Finding]:
    """Findings for one proposal: missing, misnamed, misplaced and empty sections.

    HELD_TO, when given, says which template version the sections come from, for the messages.
    """
    doc = _parse(text)
    nodes = _flatten(required_sections)
    _match(doc, nodes)
    hs = doc.headings
    findings: list[Finding] = []
    source = f" ({held_to})" if held_to else ""

    def add(rule: str, message: str, line: int | None, severity: Severity = "error") -> None:
        findings.append(Finding(CHECK, f"{CHECK}.{rule}", message, severity, commit, path, line))

    # Levels the sections use: top-level ones by the document's own majority, so a proposal
    # without a title (sections at "#") is as good as one with (sections at "##").
    top_levels = [hs[n.match].level for n in nodes if n.parent is None and n.match is not None]
    others = [h.level for j, h in enumerate(hs) if j != doc.title]
    if top_levels:  # the most common level, the shallower one on a tie
        base = min(Counter(top_levels).items(), key=lambda kv: (-kv[1], kv[0]))[0]
    elif others:
        base = min(others)
    else:
        base = hs[doc.title].level + 1 if doc.title is not None else 2

    def expected_level(n: int) -> int:
        # A sub-section's level follows its parent's expected level, so the advice for a parent
        # at the wrong level and for its children is one consistent layout.
        node = nodes[n]
        if node.parent is None:
            return base
        plevel = expected_level(node.parent)
        parent = nodes[node.parent]
        if node.spec.level is not None and parent.spec.level is not None:
            return plevel + max(1, node.spec.level - parent.spec.level)
        return plevel + 1

    # Each matched heading under another name, at the wrong level or outside its parent gets
    # one finding with one fix: the heading as the template has it, where it belongs.
    naming: dict[str, tuple[str, Severity]] = {
        "loose": ("differs from the section title {t} only in case or punctuation", "warning"),
        "contains": ("is the section {t} under a longer name", "warning"),
        "close": ("looks like the section {t}", "error")}
    for n, node in enumerate(nodes):
        if node.match is None:
            continue
        h = hs[node.match]
        title = node.spec.title
        want = expected_level(n)
        fixed = f"'{_hashes(want)} {title}'"
        named = (f"heading {h.text!r} (section {title!r})" if node.how != "exact"
                 else f"section {title!r}")
        parent = nodes[node.parent] if node.parent is not None else None
        placement: tuple[str, Severity] | None = None
        if parent is None:
            if h.level != want:
                node.flagged = True
                placement = (f"is a level-{h.level} heading but the other sections are level "
                         f"{want}", "error")
        elif parent.match is not None:
            pm = parent.match
            if not pm < node.match < _region_end(doc, nodes, node.parent or 0):
                node.flagged = True
                add("section-misplaced", f"{named} is outside its parent section "
                    f"{parent.spec.title!r} (line {hs[pm].line}); move it under "
                    f"{parent.spec.title!r} as {fixed}", h.line)
                continue
            if h.level <= hs[pm].level:
                node.flagged = True
                placement = (f"is a level-{h.level} heading like its parent {parent.spec.title!r}, "
                         "so it does not sit inside it", "error")
            elif h.level != want:
                placement = (f"is a level-{h.level} heading but should be level {want} inside "
                         f"{parent.spec.title!r}", "warning")
        name = naming.get(node.how)
        if name is not None and placement is not None:
            severity: Severity = "error" if "error" in (name[1], placement[1]) else "warning"
            rule = "section-misplaced" if placement[1] == "error" else "section-misnamed"
            add(rule, f"heading {h.text!r} {name[0].format(t=repr(title))}, and {placement[0]}; "
                f"write it as {fixed}", h.line, severity)
        elif name is not None:
            add("section-misnamed", f"heading {h.text!r} {name[0].format(t=repr(title))}; "
                f"write it as {fixed}", h.line, name[1])
        elif placement is not None:
            add("section-misplaced", f"section {title!r} {placement[0]}; write it as {fixed}",
                h.line, placement[1])

    # Order among siblings, judged on the sections that are not already reported as misplaced.
    groups: dict[int | None, list[int]] = {}
    for n, node in enumerate(nodes):
        groups.setdefault(node.parent, []).append(n)
    for members in groups.values():
        placed = [n for n in members if nodes[n].match is not None and not nodes[n].flagged]
        lines = [nodes[n].match or 0 for n in placed]
        keep = _lis(lines)
        for pos, n in enumerate(placed):
            if pos in keep:
                continue
            before = [placed[k] for k in sorted(keep) if k < pos]
            after = [placed[k] for k in sorted(keep) if k > pos]
            h = hs[nodes[n].match or 0]
            where = (f"after {nodes[before[-1]].spec.title!r}" if before
                     else f"before {nodes[after[0]].spec.title!r}")
            add("section-misplaced", f"section {nodes[n].spec.title!r} is out of order; the "
                f"template puts it {where}{source}", h.line)

    # Missing.
    for n, node in enumerate(nodes):
        if node.match is not None or not node.spec.required:
            continue
        if node.parent is not None and nodes[node.parent].match is None:
            continue  # the parent is reported missing, and the sub-section with it
        level = expected_level(n)
        siblings = groups[node.parent]
        prev = [s for s in siblings if nodes[s].index < node.index and nodes[s].match is not None]
        nxt = [s for s in siblings if nodes[s].index > node.index and nodes[s].match is not None]
        if prev:
            anchor = nodes[prev[-1]]
            where, line = f"after {anchor.spec.title!r}", hs[anchor.match or 0].line
        elif nxt:
            anchor = nodes[nxt[0]]
            where, line = f"before {anchor.spec.title!r}", hs[anchor.match or 0].line
        elif node.parent is not None:
            anchor = nodes[node.parent]
            where, line = f"under {anchor.spec.title!r}", hs[anchor.match or 0].line
        else:
            where, line = "", None
        kids = "".join(f", with {_hashes(level + 1)} {c.title}" for c in node.spec.children
                       if c.required)
        add("section-missing", f"missing required section {node.spec.title!r}{source}; add "
            f"'{_hashes(level)} {node.spec.title}'{kids}" + (f" {where}" if where else ""),
            line)

    # Empty.
    for n, node in enumerate(nodes):
        if node.match is None:
            continue
        end = _region_end(doc, nodes, n)
        if not any(doc.content_after[node.match:end]):
            add("section-empty", f"section {node.spec.title!r} is empty; write its content"
                + ("" if node.spec.required else " or delete it (the section is optional)"),
                hs[node.match].line, "error" if node.spec.required else "warning")

    # The same required title twice: the second copy is ignored, say so.
    matched = {_key(n.spec.title) for n in nodes if n.match is not None}
    used = {n.match for n in nodes} | {doc.title}
    for j, h in enumerate(hs):
        if j not in used and _key(h.text) in matched:
            add("section-duplicate", f"section {h.text!r} appears more than once; only the "
                "first one is checked", h.line, "warning")

    findings.sort(key=lambda f: (f.line or 0, f.rule))
    return findings


def _rebase(glob: str, old: str, new: str) -> str:
    """GLOB moved from folder OLD to folder NEW when it lies under OLD."""
    if old and glob.startswith(old + "/"):
        return (new + "/" if new else "") + glob[len(old) + 1:]
    return glob


def locate_proposals(rules: ProposalRules, paths: Sequence[str],
                     ) -> tuple[ProposalRules, list[Finding]]:
    """RULES as they apply to a tree of PATHS, and what to say about it.

    When the template is not where the policy says but a file of its name is elsewhere (the
    shallowest, one in a folder named like the policy's first), the proposals are the files
    beside it: globs under the template's folder move with it. When the globs then match no file
    at all, a warning says so.
    """
    notes: list[Finding] = []
    if rules.template and rules.template not in set(paths):
        old_dir, name = posixpath.split(rules.template)
        found = sorted((p for p in paths if posixpath.basename(p) == name),
                       key=lambda p: (posixpath.basename(posixpath.dirname(p))
                                      != posixpath.basename(old_dir), p.count("/"), p))
        if found:
            new_dir = posixpath.dirname(found[0])
            globs = tuple(dict.fromkeys(_rebase(g, old_dir, new_dir) for g in rules.globs))
            notes.append(Finding(
                CHECK, f"{CHECK}.relocated",
                f"the policy names the template {rules.template!r}, which is not in the tree; "
                f"the repository keeps it at {found[0]!r}, so proposals are read beside it "
                f"({', '.join(globs)}); set the process's `path` and `template` to say so",
                "info", None, found[0]))
            rules = replace(rules, globs=globs, template=found[0])
    regex = glob_regex(rules.globs)
    if not any(regex.match(p) for p in paths):
        what = " and `template`" if rules.template else ""
        notes.append(Finding(
            CHECK, f"{CHECK}.none-found",
            f"the proposal paths {', '.join(rules.globs)} match no file in the tree (no proposal"
            f"{' and no template' if rules.template else ''}); set the process's `path`{what} "
            "to where the repository keeps its proposals", "warning", None, None))
    return rules, notes


def proposal_entries(rules: ProposalRules, tree: Sequence[TreeEntry]) -> list[TreeEntry]:
    """The proposals in TREE: files matching the policy's globs, the template (and any copy of
    it by the same name) aside."""
    regex = glob_regex(rules.globs)
    name = posixpath.basename(rules.template) if rules.template else None
    return [e for e in tree if regex.match(e.path) and e.path != rules.template
            and posixpath.basename(e.path) != name]


def readable(entries: Sequence[TreeEntry]) -> list[TreeEntry]:
    """The ENTRIES small enough to be read as text."""
    return [e for e in entries if e.size <= MAX_TEXT_BYTES]


def check_proposals(rules: ProposalRules, sha: str, entries: Sequence[TreeEntry],
                    added: Mapping[str, str], blobs: Mapping[str, bytes | None]) -> list[Finding]:
    """Check every proposal of ENTRIES (tree SHA), each against the template in force when it
    was added: ADDED maps a path to the commit that added it, BLOBS holds each proposal by blob
    id and the template as `COMMIT:path` at SHA and at each of those commits."""
    findings: list[Finding] = [too_large(CHECK, e) for e in entries if e.size > MAX_TEXT_BYTES]
    readable_entries = readable(entries)

    cache: dict[bytes, tuple[SectionSpec, ...] | Finding] = {}

    def sections_of(data: bytes | None) -> tuple[SectionSpec, ...] | Finding | None:
        if data is None or rules.template is None:
            return None
        if data not in cache:
            text = decode_text(CHECK, rules.template, data)
            cache[data] = (text if isinstance(text, Finding)
                           else merge_sections(template_sections(text), rules.sections))
        return cache[data]

    current = sections_of(blobs.get(f"{sha}:{rules.template}")) if rules.template else None
    if rules.template and current is None:
        findings.append(Finding(CHECK, f"{CHECK}.template-missing",
                                f"the policy names the template {rules.template!r} but it is not "
                                "in the tree; proposals are checked against the policy's "
                                "sections only", "warning", None, rules.template))
    elif isinstance(current, Finding):
        findings.append(current)
    current_sections = current if isinstance(current, tuple) else rules.sections

    for entry in readable_entries:
        data = blobs.get(entry.oid)
        if data is None:
            continue
        text = decode_text(CHECK, entry.path, data)
        if isinstance(text, Finding):
            findings.append(text)
            continue
        sections, held_to = current_sections, None
        commit = added.get(entry.path)
        if commit is not None and rules.template:
            then = sections_of(blobs.get(f"{commit}:{rules.template}"))
            if isinstance(then, tuple):
                sections = then
                if then != current_sections:
                    held_to = (f"required by the template as of {commit[:12]}, "
                               "when this proposal was added")
        findings += check_proposal_text(entry.path, text, sections, held_to=held_to)
    return findings
