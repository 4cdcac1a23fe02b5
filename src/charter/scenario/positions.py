"""Where a key of a scenario file is written, for error messages that name file:line.

A fast read keeps no positions; `StreamPositions` finds one when an error needs it, with a second
pass over the YAML events that stops at the key. `EagerPositions` answers from the locations a
round-trip read already has. Both give the line of the longest part of the path that exists.
"""

from __future__ import annotations

from typing import Any, Protocol

from charter.scenario.scalars import Unsupported, scalar
from charter.yamlio import Locations, where


class Positions(Protocol):
    def where(self, path: tuple[Any, ...]) -> tuple[str, int | None]:
        """(file, 1-based line) of PATH, or of its longest located prefix (line None if none)."""
        ...


class EagerPositions:
    """Positions from a round-trip read's locations."""

    def __init__(self, locations: Locations, file: str) -> None:
        self.locations = locations
        self.file = file

    def where(self, path: tuple[Any, ...]) -> tuple[str, int | None]:
        file, line = where(self.locations, path)
        return file or self.file, line


class StreamPositions:
    """Positions found on demand by reading the YAML events again."""

    def __init__(self, text: str, file: str) -> None:
        self.text = text
        self.file = file

    def where(self, path: tuple[Any, ...]) -> tuple[str, int | None]:
        found = self._scan(tuple(path))
        return self.file, found[max(found)] if found else None

    def _scan(self, target: tuple[Any, ...]) -> dict[int, int]:
        """Prefix length -> line, for every prefix of TARGET that the document holds."""
        import yaml

        found: dict[int, int] = {}
        # Each frame: [is a mapping, awaiting a key, current key, next index, on TARGET's path]
        stack: list[list[Any]] = []
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)(self.text)
        starts = (yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent,
                  yaml.AliasEvent)
        try:
            while len(target) not in found:
                event: Any = loader.get_event()
                kind = type(event)
                if kind is yaml.StreamEndEvent:
                    break
                if kind in (yaml.MappingEndEvent, yaml.SequenceEndEvent):
                    stack.pop()
                    continue
                if kind not in starts:
                    continue
                line = event.start_mark.line + 1
                depth = len(stack)  # how many path parts lead to this node
                on_path = False
                if not stack:
                    on_path = True
                    found[0] = line
                else:
                    frame = stack[-1]
                    wanted = target[depth - 1] if frame[4] and depth <= len(target) else None
                    if frame[0] and frame[1]:
                        frame[1] = False
                        frame[2] = None
                        if kind is yaml.ScalarEvent:
                            try:
                                key = scalar(event.value) if event.implicit[0] else event.value
                            except Unsupported:
                                key = event.value
                            frame[2] = str(key)
                            if wanted is not None and str(wanted) == frame[2]:
                                found[depth] = line
                            continue
                    elif frame[0]:
                        frame[1] = True
                        on_path = wanted is not None and frame[2] == str(wanted)
                    else:
                        index = frame[3]
                        frame[3] += 1
                        on_path = isinstance(wanted, int) and wanted == index
                        if on_path:
                            found[depth] = line
                if kind is yaml.MappingStartEvent or kind is yaml.SequenceStartEvent:
                    stack.append([kind is yaml.MappingStartEvent, True, None, 0, on_path])
        except yaml.YAMLError:
            pass  # the document was read once already; a position is the best we can do
        finally:
            loader.dispose()
        return found
