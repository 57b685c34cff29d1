"""librfnas from Python: differentiable architecture search with random
features (RF-DARTS), on ctypes.

    import rfnas
    with rfnas.Context(seed=2) as ctx:
        space = rfnas.Space("nb201")
        net = rfnas.Supernet(ctx, space, in_channels=1, in_height=28, in_width=28)
        ...

`rfnas._capi` is the C API one to one (every function of include/rfnas.h
with argtypes and restype); the classes here wrap it: failures raise
RfnasError (status and the library's message), settings are keyword
arguments, arrays are numpy arrays when numpy is installed (lists,
array.array and memoryviews otherwise). docs/python.md is the guide.

The library is found through $RFNAS_LIBRARY, a meson build directory above
this package, or the system's loader path; its version is checked at import.
"""

from ._capi import VERSION, __version__, library_path
from ._core import (HAVE_NUMPY, CellType, Checkpoint, Config, Context, Dataset, DatasetShape,
                    Format, Genotype, GenotypeInfo, Group, GroupView, IterShape, Iterator, Key,
                    LogLevel, NetShape, Optimizer, Pair, Param, Part, Phase, RfnasError,
                    Space, SpaceInfo, Status, Supernet, Topology, Type, key_bounds,
                    key_from_name, key_name, schedule_cosine, status_string, version,
                    version_number)

__all__ = [
    "VERSION", "__version__", "library_path", "HAVE_NUMPY",
    "CellType", "Checkpoint", "Config", "Context", "Dataset", "DatasetShape", "Format",
    "Genotype", "GenotypeInfo", "Group", "GroupView", "IterShape", "Iterator", "Key", "LogLevel",
    "NetShape", "Optimizer", "Pair", "Param", "Part", "Phase", "RfnasError", "Space",
    "SpaceInfo", "Status", "Supernet", "Topology", "Type", "key_bounds", "key_from_name",
    "key_name", "schedule_cosine", "status_string", "version", "version_number",
]
