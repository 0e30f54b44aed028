"""The few XKEYBOARD requests `XKeyboard` needs to read and write keys' symbol maps atomically.

python-xlib has no XKB support: these requests are built from its wire-protocol classes. One
`set_sym_maps` call rewrites a whole keycode range in a single request, so a client refetches
its keymap once (see agent/backends/xkeyboard.py for why that matters).
"""

from __future__ import annotations

import struct
from typing import Any

__all__ = ["Xkb"]


class Xkb:
    """The few XKEYBOARD requests needed to read and write keys' symbol maps atomically."""

    USE_CORE_KBD = 0x0100
    KEY_SYMS_MASK = 1 << 1
    KEY_ACTIONS_MASK = 1 << 4
    _requests: tuple[Any, Any, Any] | None = None

    def __init__(self, display: Any, opcode: int) -> None:
        self.display = display
        self.opcode = opcode
        self.min_keycode = 0
        self.max_keycode = 0

    @classmethod
    def open(cls, display: Any) -> Xkb | None:
        """Initialise XKB on `display`; None when the server lacks it."""
        ext = display.query_extension("XKEYBOARD")
        if ext is None:
            return None
        use_extension, _, _ = cls._request_classes()
        reply = use_extension(
            display=display.display, opcode=ext.major_opcode, major=1, minor=0
        )
        if not reply.supported:
            return None
        return cls(display, ext.major_opcode)

    @staticmethod
    def one_level(keysym: int) -> bytes:
        """A key with one group of type ONE_LEVEL (type index 0) holding just `keysym`."""
        return struct.pack("=4BBBHI", 0, 0, 0, 0, 1, 1, 1, keysym)

    def get_sym_maps(self, first: int, count: int) -> list[bytes]:
        """The wire symbol maps (xkbSymMapWireDesc + keysyms) of keys first..first+count-1."""
        _, get_map, _ = self._request_classes()
        reply = get_map(
            display=self.display.display,
            **_fields(get_map, opcode=self.opcode, device_spec=self.USE_CORE_KBD,
                      partial=self.KEY_SYMS_MASK, first_key_sym=first, n_key_syms=count),
        )
        self.min_keycode, self.max_keycode = reply.min_key_code, reply.max_key_code
        if reply.first_key_sym != first or reply.n_key_syms != count:
            raise RuntimeError("XkbGetMap returned other keys than asked for")
        data: bytes = reply.data
        maps: list[bytes] = []
        offset = 0
        for _ in range(count):
            (n_syms,) = struct.unpack_from("=H", data, offset + 6)
            size = 8 + 4 * n_syms
            maps.append(bytes(data[offset : offset + size]))
            offset += size
        return maps

    def keys_with_actions(self, first: int, count: int) -> set[int]:
        """The keycodes among first..first+count-1 that have key actions."""
        _, get_map, _ = self._request_classes()
        reply = get_map(
            display=self.display.display,
            **_fields(get_map, opcode=self.opcode, device_spec=self.USE_CORE_KBD,
                      partial=self.KEY_ACTIONS_MASK, first_key_act=first, n_key_acts=count),
        )
        counts: bytes = reply.data[: reply.n_key_acts]
        return {reply.first_key_act + i for i, n in enumerate(counts) if n}

    def set_sym_maps(self, first: int, maps: list[bytes]) -> None:
        """Replace the symbol maps of keys first..first+len(maps)-1 in one request."""
        from Xlib import error

        _, _, set_map = self._request_classes()
        catch = error.CatchError()
        set_map(
            display=self.display.display,
            onerror=catch,
            **_fields(
                set_map, opcode=self.opcode, device_spec=self.USE_CORE_KBD,
                present=self.KEY_SYMS_MASK, min_key_code=self.min_keycode,
                max_key_code=self.max_keycode, first_key_sym=first, n_key_syms=len(maps),
                total_syms=sum(struct.unpack_from("=H", m, 6)[0] for m in maps),
                data=b"".join(maps),
            ),
        )
        self.display.sync()
        if catch.get_error() is not None:
            raise RuntimeError(f"XkbSetMap failed: {catch.get_error()}")

    @classmethod
    def _request_classes(cls) -> tuple[Any, Any, Any]:
        if cls._requests is None:
            from Xlib.protocol import rq

            class UseExtension(rq.ReplyRequest):  # type: ignore[misc]
                _request = rq.Struct(
                    rq.Card8("opcode"), rq.Opcode(0), rq.RequestLength(),
                    rq.Card16("major"), rq.Card16("minor"),
                )
                _reply = rq.Struct(
                    rq.ReplyCode(), rq.Bool("supported"), rq.Card16("sequence_number"),
                    rq.ReplyLength(), rq.Card16("server_major"), rq.Card16("server_minor"),
                    rq.Pad(20),
                )

            class GetMap(rq.ReplyRequest):  # type: ignore[misc]
                _request = rq.Struct(
                    rq.Card8("opcode"), rq.Opcode(8), rq.RequestLength(),
                    rq.Card16("device_spec"), rq.Card16("full"), rq.Card16("partial"),
                    rq.Card8("first_type"), rq.Card8("n_types"),
                    rq.Card8("first_key_sym"), rq.Card8("n_key_syms"),
                    rq.Card8("first_key_act"), rq.Card8("n_key_acts"),
                    rq.Card8("first_key_behavior"), rq.Card8("n_key_behaviors"),
                    rq.Card16("virtual_mods"),
                    rq.Card8("first_key_explicit"), rq.Card8("n_key_explicit"),
                    rq.Card8("first_mod_map_key"), rq.Card8("n_mod_map_keys"),
                    rq.Card8("first_vmod_map_key"), rq.Card8("n_vmod_map_keys"),
                    rq.Pad(2),
                )
                _reply = rq.Struct(
                    rq.ReplyCode(), rq.Card8("device_id"), rq.Card16("sequence_number"),
                    rq.ReplyLength(), rq.Pad(2),
                    rq.Card8("min_key_code"), rq.Card8("max_key_code"), rq.Card16("present"),
                    rq.Card8("first_type"), rq.Card8("n_types"), rq.Card8("total_types"),
                    rq.Card8("first_key_sym"), rq.Card16("total_syms"), rq.Card8("n_key_syms"),
                    rq.Card8("first_key_act"), rq.Card16("total_acts"), rq.Card8("n_key_acts"),
                    rq.Card8("first_key_behavior"), rq.Card8("n_key_behaviors"),
                    rq.Card8("total_key_behaviors"),
                    rq.Card8("first_key_explicit"), rq.Card8("n_key_explicit"),
                    rq.Card8("total_key_explicit"),
                    rq.Card8("first_mod_map_key"), rq.Card8("n_mod_map_keys"),
                    rq.Card8("total_mod_map_keys"),
                    rq.Card8("first_vmod_map_key"), rq.Card8("n_vmod_map_keys"),
                    rq.Card8("total_vmod_map_keys"),
                    rq.Pad(1), rq.Card16("virtual_mods"),
                    rq.Binary("data"),
                )

            class SetMap(rq.Request):  # type: ignore[misc]
                _request = rq.Struct(
                    rq.Card8("opcode"), rq.Opcode(9), rq.RequestLength(),
                    rq.Card16("device_spec"), rq.Card16("present"), rq.Card16("flags"),
                    rq.Card8("min_key_code"), rq.Card8("max_key_code"),
                    rq.Card8("first_type"), rq.Card8("n_types"),
                    rq.Card8("first_key_sym"), rq.Card8("n_key_syms"), rq.Card16("total_syms"),
                    rq.Card8("first_key_act"), rq.Card8("n_key_acts"), rq.Card16("total_acts"),
                    rq.Card8("first_key_behavior"), rq.Card8("n_key_behaviors"),
                    rq.Card8("total_key_behaviors"),
                    rq.Card8("first_key_explicit"), rq.Card8("n_key_explicit"),
                    rq.Card8("total_key_explicit"),
                    rq.Card8("first_mod_map_key"), rq.Card8("n_mod_map_keys"),
                    rq.Card8("total_mod_map_keys"),
                    rq.Card8("first_vmod_map_key"), rq.Card8("n_vmod_map_keys"),
                    rq.Card8("total_vmod_map_keys"),
                    rq.Card16("virtual_mods"),
                    rq.Binary("data"),
                )

            cls._requests = (UseExtension, GetMap, SetMap)
        return cls._requests


def _fields(request: Any, **given: Any) -> dict[str, Any]:
    """All of `request`'s named fields: the given values, 0 for the rest."""
    names = [f.name for f in request._request.fields if f.name is not None]
    return {name: given.get(name, 0) for name in names}
