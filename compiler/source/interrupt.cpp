// compiler/source/interrupt.cpp: see interrupt.hpp.
#include "source/interrupt.hpp"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <thread>

extern char** environ;

namespace dolc::interrupt {

namespace {

std::mutex g_mutex;
bool g_dying = false;                 // a signal arrived: start nothing new
std::vector<pid_t> g_children;        // running children (each leads its own process group)
std::vector<std::string> g_paths;     // removed on a signal
bool g_installed = false;

// SIGINT, SIGTERM and SIGHUP, except those ignored when dolc started: `nohup`
// and shells (for background jobs) ignore some on purpose, and an ignored
// signal is dropped even while blocked, so it stays ignored.
sigset_t handled_signals() {
  sigset_t set;
  sigemptyset(&set);
  for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
    struct sigaction current;
    if (sigaction(sig, nullptr, &current) == 0 && current.sa_handler == SIG_IGN) continue;
    sigaddset(&set, sig);
  }
  return set;
}

[[noreturn]] void clean_up_and_exit(int sig) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_dying = true;
  // The whole group: clang's own children (wasm-ld) die with it.
  for (pid_t pid : g_children) kill(-pid, SIGKILL);
  for (pid_t pid : g_children) {
    int status;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  for (const auto& path : g_paths) {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  _exit(128 + sig);
}

}  // namespace

void install() {
  std::lock_guard<std::mutex> lock(g_mutex);
  if (g_installed) return;
  g_installed = true;
  sigset_t set = handled_signals();
  // Blocked here, inherited by every thread created later (Binaryen's
  // workers included), so only the waiting thread below receives them.
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::thread([set] {
    int sig = 0;
    while (sigwait(&set, &sig) != 0) {
    }
    clean_up_and_exit(sig);
  }).detach();
}

void add_path(const std::string& path) {
  std::lock_guard<std::mutex> lock(g_mutex);
  g_paths.push_back(path);
}

void remove_path(const std::string& path) {
  std::lock_guard<std::mutex> lock(g_mutex);
  auto it = std::find(g_paths.begin(), g_paths.end(), path);
  if (it != g_paths.end()) g_paths.erase(it);
}

pid_t spawn(const std::vector<std::string>& argv, const std::string& log_path, std::string* error) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);  // the child handles signals normally
  posix_spawnattr_setpgroup(&attr, 0);       // its own group, killed as one
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);
  pid_t pid = -1;
  int rc;
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    if (g_dying) {
      rc = EINTR;
    } else {
      rc = posix_spawn(&pid, args[0], &actions, &attr, args.data(), environ);
      if (rc == 0) g_children.push_back(pid);
    }
  }
  posix_spawnattr_destroy(&attr);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) {
    if (error) *error = std::strerror(rc);
    return -1;
  }
  return pid;
}

int wait_child(pid_t pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  std::lock_guard<std::mutex> lock(g_mutex);
  g_children.erase(std::remove(g_children.begin(), g_children.end(), pid), g_children.end());
  return status;
}

}  // namespace dolc::interrupt
