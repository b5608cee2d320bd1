// The stdio transport's reader and writer on real pipes and sockets: framing, the size
// limit, batching of a read's lines, stopping, and replies leaving in order.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <thread>
#include <vector>

#include "transports/stdio.hpp"

using namespace takt;
using namespace std::chrono_literals;

namespace {
std::vector<std::pair<std::string, bool>> read_all(const std::string& input, std::size_t max) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  std::thread w([&] {
    std::size_t off = 0;
    while (off < input.size()) off += static_cast<std::size_t>(write(fds[1], input.data() + off, input.size() - off));
    close(fds[1]);
  });
  std::vector<std::pair<std::string, bool>> lines;
  LineReader r(fds[0], max);
  r.run([&](std::string line, bool over) {
    lines.emplace_back(std::move(line), over);
    return true;
  });
  w.join();
  close(fds[0]);
  return lines;
}
}  // namespace

TEST(StdioReader, SplitsLinesStripsCrAndSkipsBlank) {
  auto lines = read_all("a\r\n\nbb\nlast", 10);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_EQ(lines[0].first, "a");
  EXPECT_EQ(lines[1].first, "bb");
  EXPECT_EQ(lines[2].first, "last");
}

TEST(StdioReader, OverlongLineIsReportedOnceAndSkipped) {
  std::string big(300000, 'x');
  auto lines = read_all("ok\n" + big + "\nafter\n" + std::string(11, 'y') + "\n", 10);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[0].first, "ok");
  EXPECT_TRUE(lines[1].second);
  EXPECT_EQ(lines[2].first, "after");
  EXPECT_TRUE(lines[3].second);
}

/// The batches the reader makes of `input`, sent in one write: the lines of each.
std::vector<std::vector<std::string>> batches_of(const std::string& input, std::size_t max_batch) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  EXPECT_EQ(write(fds[1], input.data(), input.size()), static_cast<ssize_t>(input.size()));
  close(fds[1]);
  std::vector<std::vector<std::string>> batches;
  bool open = false;
  LineReader r(fds[0], 1024, max_batch);
  r.run(
      [&](std::string line, bool) {
        EXPECT_TRUE(open) << "a line outside a batch";
        batches.back().push_back(std::move(line));
        return true;
      },
      [&](bool begin) {
        EXPECT_NE(begin, open) << "batches nest or end twice";
        open = begin;
        if (begin) batches.emplace_back();
      });
  close(fds[0]);
  EXPECT_FALSE(open);
  return batches;
}

TEST(StdioReader, AReadOfManyLinesIsHandledInBatchesOfAtMostTheLimit) {
  std::string input;
  for (int i = 0; i < 40; ++i) input += std::to_string(i) + (i % 7 == 3 ? "\n\r\n" : "\n");  // blank lines too
  const auto batches = batches_of(input, 16);
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[0].size(), 16u);
  EXPECT_EQ(batches[1].size(), 16u);
  EXPECT_EQ(batches[2].size(), 8u);
  EXPECT_EQ(batches[0].front(), "0");
  EXPECT_EQ(batches[1].front(), "16");
  EXPECT_EQ(batches[2].back(), "39");
  // Exactly the limit: one batch, no empty one after it.
  std::string sixteen;
  for (int i = 0; i < 16; ++i) sixteen += "x\n";
  EXPECT_EQ(batches_of(sixteen, 16).size(), 1u);
  // No limit: the whole read is one batch.
  EXPECT_EQ(batches_of(input, 0).size(), 1u);
  EXPECT_EQ(batches_of(input, 1).size(), 40u);
}

TEST(StdioReader, StopEndsTheRunWhetherInputKeepsComingOrNot) {
  for (const bool busy : {true, false}) {
    int fds[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    std::atomic<bool> done{false};
    std::thread client([&] {  // a client that never pauses, or one that sends nothing
      const std::string lines(4096, '\n');
      while (busy && !done) (void)!send(fds[1], lines.data(), lines.size(), MSG_NOSIGNAL);
    });
    LineReader r(fds[0], 1024);
    std::thread stopper([&] {
      std::this_thread::sleep_for(50ms);
      r.stop();
    });
    r.run([](std::string, bool) { return true; });  // returns only once stopped
    done = true;
    stopper.join();
    close(fds[0]);  // a client blocked on a full socket gets EPIPE
    client.join();
    close(fds[1]);
  }
}

TEST(StdioReader, LeavesTheInputAsBlockingAsItFoundIt) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  const int before = fcntl(fds[0], F_GETFL);
  {
    LineReader r(fds[0], 1024);
    EXPECT_TRUE(fcntl(fds[0], F_GETFL) & O_NONBLOCK);  // read first, wait only when empty
  }
  EXPECT_EQ(fcntl(fds[0], F_GETFL), before);
  close(fds[0]);
  close(fds[1]);
}

TEST(StdioWriter, ReportsEachLineWrittenOnlyAfterItLeft) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::atomic<int> written{0};
  {
    LineWriter w(fds[1]);
    // Nobody reads the pipe yet: a 1 MiB line cannot have left the process.
    w.send(std::string(1 << 20, 'x'), [&] { ++written; });
    std::this_thread::sleep_for(50ms);
    EXPECT_EQ(written.load(), 0);
    std::thread drain([&] {
      char buf[65536];
      std::size_t total = 0;
      while (total < (1u << 20) + 1) total += static_cast<std::size_t>(read(fds[0], buf, sizeof buf));
    });
    drain.join();
    w.close();
  }
  EXPECT_EQ(written.load(), 1);
  close(fds[0]);
  close(fds[1]);
}

TEST(StdioWriter, WritesEveryLineInOrder) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  std::string got;
  std::thread reader([&] {
    char buf[4096];
    ssize_t n;
    while ((n = read(fds[0], buf, sizeof buf)) > 0) got.append(buf, static_cast<std::size_t>(n));
  });
  {
    LineWriter w(fds[1]);
    for (int i = 0; i < 1000; ++i) w.send(std::to_string(i));
    w.close();
  }
  close(fds[1]);
  reader.join();
  close(fds[0]);
  std::string want;
  for (int i = 0; i < 1000; ++i) want += std::to_string(i) + "\n";
  EXPECT_EQ(got, want);
}

// close() while other threads are still writing replies (a client that leaves while
// takt answers it): the writer thread waited for a wake-up that a sender finishing its
// own direct write never gave, and close() never returned. Each round closes while
// senders write; a round that does not end within seconds is the hang.
TEST(StdioWriter, CloseReturnsWhileOtherThreadsAreWriting) {
  for (int round = 0; round < 200; ++round) {
    int sv[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    std::atomic<bool> reading{true};
    std::thread drain([&] {
      char buf[4096];
      while (reading.load() && ::read(sv[1], buf, sizeof buf) > 0) {
      }
    });
    auto writer = std::make_unique<takt::LineWriter>(sv[0]);
    std::atomic<bool> go{true};
    std::vector<std::thread> senders;
    for (int s = 0; s < 3; ++s)
      senders.emplace_back([&] {
        while (go.load()) writer->send("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}");
      });
    std::this_thread::sleep_for(std::chrono::microseconds(200 + round % 7 * 50));
    std::atomic<bool> closed{false};
    std::thread closer([&] {
      writer->close();
      closed.store(true);
    });
    for (int i = 0; i < 5000 && !closed.load(); ++i) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    if (!closed.load()) {
      ADD_FAILURE() << "close() did not return in round " << round;
      std::_Exit(1);  // the writer thread waits for ever: nothing else can end this test
    }
    go.store(false);
    for (auto& t : senders) t.join();
    closer.join();
    writer.reset();
    reading.store(false);
    ::shutdown(sv[1], SHUT_RDWR);
    drain.join();
    ::close(sv[0]);
    ::close(sv[1]);
  }
}
