"""Print where this interpreter looks for packages under a prefix (argv[1]),
relative to it: the install directory of the pscan package."""
import os
import site
import sys
import sysconfig

prefix = os.path.realpath(sys.argv[1])
for directory in site.getsitepackages():
    directory = os.path.realpath(directory)
    if directory.startswith(prefix + os.sep):
        print(os.path.relpath(directory, prefix))
        break
else:
    scheme = sysconfig.get_path("platlib", "posix_prefix", vars={"base": prefix, "platbase": prefix})
    print(os.path.relpath(scheme, prefix))
