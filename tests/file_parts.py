"""Taking files apart in tests: paths into JSON, one field changed, zip archives made by hand."""

import io
import json
import zipfile


def leaves(value, path=()):
    """Every path into `value` (keys and list positions), the innermost first, the root () last."""
    if isinstance(value, dict):
        for key, item in value.items():
            yield from leaves(item, (*path, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from leaves(item, (*path, i))
    yield path


def leaf(data, path):
    for key in path:
        data = data[key]
    return data


def with_leaf(data, path, new):
    """A copy of `data` with the value at `path` replaced by `new` (the whole of it for ())."""
    if not path:
        return new
    data = json.loads(json.dumps(data))
    leaf(data, path[:-1])[path[-1]] = new
    return data


def zip_of(members, compression=zipfile.ZIP_DEFLATED):
    """A zip archive holding `members` (name -> text or bytes), as bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()
