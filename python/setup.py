"""Build of the extension for `pip install ./python`: the project's own CMake
build (target pscan_python, the library linked in statically) in setuptools'
temporary directory, then the module copied where setuptools expects it."""
import os
import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

ROOT = Path(__file__).resolve().parent.parent


class CMakeBuild(build_ext):
    def build_extension(self, ext):
        build_dir = Path(self.build_temp).resolve() / "cmake"
        configure = ["cmake", "-S", str(ROOT), "-B", str(build_dir), "-DCMAKE_BUILD_TYPE=Release",
                     "-DPSCAN_BUILD_TESTS=OFF", "-DPSCAN_PYTHON=ON",
                     f"-DPSCAN_PYTHON_EXECUTABLE={sys.executable}"]
        subprocess.run(configure, check=True)
        subprocess.run(["cmake", "--build", str(build_dir), "--target", "pscan_python",
                        "--parallel", str(os.cpu_count() or 1)], check=True)
        built = sorted((build_dir / "python" / "pscan").glob("_pscan*.so"))
        if not built:
            raise RuntimeError(f"the CMake build made no module in {build_dir}/python/pscan")
        destination = Path(self.get_ext_fullpath(ext.name))
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(built[0], destination)


setup(ext_modules=[Extension("pscan._pscan", sources=[])], cmdclass={"build_ext": CMakeBuild})
