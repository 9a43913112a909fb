// compiler/source/interrupt.hpp: what dolc undoes when it is interrupted.
//
// `dolc build` runs clang (which runs wasm-ld) in a temporary directory and
// writes outputs through temporary files. A SIGINT, SIGTERM or SIGHUP must
// not leave a compiler running for minutes, a temporary directory behind, or
// a half-written output. install() blocks those signals in every thread and
// hands them to one thread that, on arrival, kills the running child's whole
// process group, removes every registered path, and exits with 128+signal.
// Doing this in a thread (sigwait) rather than a signal handler makes the
// clean-up free to take locks and walk directories.
//
// Children are started through spawn(), which takes the same lock as the
// clean-up: a child is either killed by it or never started.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace dolc::interrupt {

// Once, at the start of main (before any other thread exists).
void install();

// A file or directory removed (recursively) if dolc is interrupted.
void add_path(const std::string& path);
void remove_path(const std::string& path);

// posix_spawn of argv[0] with stdout and stderr to `log_path`, in a process
// group of its own with the signals unblocked. Returns the pid, or -1 with
// `error` set (also when dolc is being interrupted).
pid_t spawn(const std::vector<std::string>& argv, const std::string& log_path, std::string* error);
// Waits for a child from spawn() and returns its wait status.
int wait_child(pid_t pid);

}  // namespace dolc::interrupt
