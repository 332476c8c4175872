#include "probe/resolver.hpp"

#include "probe/unique_fd.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <netdb.h>
#include <sys/eventfd.h>
#include <thread>
#include <unistd.h>

namespace pk::probe {

namespace {

// Lookups run in parallel up to this many threads, started as the queue needs
// them (one slow name must not hold up thousands of others).
constexpr std::size_t k_max_workers = 4;

bool family_accepts(core::Family family, const Address& a) {
  if (family == core::Family::v4) return !a.is_v6();
  if (family == core::Family::v6) return a.is_v6();
  return true;
}

// A literal resolves at once; nullopt when `host` is not one.
std::optional<Expected<Address>> resolve_literal(const std::string& host, core::Family family) {
  auto literal = Address::parse_literal(host);
  if (!literal) return std::nullopt;
  if (!family_accepts(family, *literal)) {
    return Expected<Address>(
        invalid_input(fmt::format("cannot resolve \"{}\": it is an {} address, not {}", host,
                                  literal->is_v6() ? "IPv6" : "IPv4", literal->is_v6() ? "IPv4" : "IPv6")));
  }
  return Expected<Address>(*literal);
}

Expected<Address> lookup(const std::string& host, core::Family family) {
  if (auto literal = resolve_literal(host, family)) return *literal;
  addrinfo hints{};
  hints.ai_family = family == core::Family::v4 ? AF_INET : family == core::Family::v6 ? AF_INET6 : AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;  // one entry per address instead of three
  addrinfo* res = nullptr;
  const int rc = getaddrinfo(host.c_str(), nullptr, &hints, &res);
  if (rc != 0) {
    const std::string reason = rc == EAI_SYSTEM ? std::string(std::strerror(errno)) : std::string(gai_strerror(rc));
    return invalid_input(fmt::format("cannot resolve \"{}\": {}", host, reason));
  }
  // `any` prefers IPv4, then IPv6, as ping(8) does.
  const addrinfo* chosen = nullptr;
  for (const int want : {AF_INET, AF_INET6}) {
    for (const addrinfo* ai = res; ai != nullptr && chosen == nullptr; ai = ai->ai_next) {
      if (ai->ai_family == want && ai->ai_addr != nullptr) chosen = ai;
    }
    if (chosen != nullptr) break;
  }
  std::optional<Address> address;
  if (chosen != nullptr) address = Address(chosen->ai_addr, chosen->ai_addrlen);
  freeaddrinfo(res);
  if (!address || !family_accepts(family, *address)) {
    return invalid_input(fmt::format("cannot resolve \"{}\": no {}address", host,
                                     family == core::Family::v4   ? "IPv4 "
                                     : family == core::Family::v6 ? "IPv6 "
                                                                  : ""));
  }
  return *address;
}

}  // namespace

struct Resolver::Impl {
  struct Job {
    std::uint32_t slot;
    std::string host;
    core::Family family;
  };

  std::mutex mutex;
  std::condition_variable wake;
  std::deque<Job> queue;
  std::vector<Resolution> done;
  std::vector<std::thread> workers;
  std::size_t idle = 0;
  bool stopping = false;
  UniqueFd event{eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)};

  // With `mutex` held.
  void publish(Resolution r) {
    done.push_back(std::move(r));
    const std::uint64_t one = 1;
    (void)!write(event.get(), &one, sizeof(one));
  }

  void run() {
    std::unique_lock lock(mutex);
    for (;;) {
      ++idle;
      wake.wait(lock, [this] { return stopping || !queue.empty(); });
      --idle;
      if (stopping) return;
      Job job = std::move(queue.front());
      queue.pop_front();
      lock.unlock();
      Resolution r{job.slot, job.host, lookup(job.host, job.family)};
      lock.lock();
      if (stopping) return;
      publish(std::move(r));
    }
  }
};

Resolver::Resolver() : m_impl(std::make_unique<Impl>()) {}

Resolver::~Resolver() {
  {
    std::lock_guard lock(m_impl->mutex);
    m_impl->stopping = true;
    m_impl->queue.clear();
  }
  m_impl->wake.notify_all();
  for (auto& t : m_impl->workers) t.join();  // waits for a lookup in progress, if any
}

void Resolver::request(std::uint32_t slot, const std::string& host, core::Family family) {
  auto literal = resolve_literal(host, family);
  std::lock_guard lock(m_impl->mutex);
  if (literal) {
    m_impl->publish(Resolution{slot, host, std::move(*literal)});
    return;
  }
  m_impl->queue.push_back(Impl::Job{slot, host, family});
  if (m_impl->idle < m_impl->queue.size() && m_impl->workers.size() < k_max_workers) {
    m_impl->workers.emplace_back([impl = m_impl.get()] { impl->run(); });
  }
  m_impl->wake.notify_one();
}

std::vector<Resolution> Resolver::take() {
  std::vector<Resolution> out;
  std::lock_guard lock(m_impl->mutex);
  out.swap(m_impl->done);
  std::uint64_t count = 0;
  (void)!read(m_impl->event.get(), &count, sizeof(count));  // not readable again until the next result
  return out;
}

int Resolver::notify_fd() const { return m_impl->event.get(); }

Expected<Address> Resolver::resolve_now(const std::string& host, core::Family family) { return lookup(host, family); }

}  // namespace pk::probe
