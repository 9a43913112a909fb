# The two commands of the README. Both install what is missing first
# (tools/setup.sh), then configure and build with CMake + Ninja into build/.
BUILD   ?= build
JOBS    ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: all setup configure build demo test test-sanitize bench install deb clean

all: build

setup:
	bash tools/setup.sh

configure: setup
	@test -f $(BUILD)/build.ninja || cmake -S . -B $(BUILD) -G Ninja $(CMAKE_FLAGS)

build: configure
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	bash tools/demo.sh $(BUILD)

# Every test: the main build's ctest suite, then the runtime again under
# AddressSanitizer + UndefinedBehaviorSanitizer. ctest's summary ends each part.
test: build
	bash tools/run-tests.sh $(BUILD)

bench: build
	bash tools/bench.sh $(BUILD)

# Installs dolc, its standard library, the runtime and the CMake package under
# PREFIX (relocatable: the folder can be moved afterwards).
PREFIX ?= /usr/local
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

# The same install as a Debian package: $(BUILD)/dolc_VERSION_amd64.deb.
deb: build
	cd $(BUILD) && cpack -G DEB

clean:
	rm -rf $(BUILD) build-asan
