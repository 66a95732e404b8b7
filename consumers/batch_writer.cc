#include "consumers/batch_writer.h"

#include <pthread.h>

#include <chrono>

namespace gendan {

Status BatchWriter::Submit(ProjectionBatch::Staged staged) {
  Status s = Wait();
  if (!s.ok()) return s;
  done_ = std::async(std::launch::async, [this, staged = std::move(staged)]() mutable {
    pthread_setname_np(pthread_self(), thread_name_.c_str());
    if (prepare_) {
      Status prepared = prepare_(staged);
      if (!prepared.ok()) return prepared;
    }
    wb_.Clear();
    // In chunks, each chunk is written on a thread of its own while the next one is filled:
    // sorting and copying the ops and RocksDB's memtable inserts overlap (the rebuild's writer
    // thread was what its loop waited for). One chunk in flight, so they land in order.
    std::future<Status> chunk_written;
    auto landed = [&] { return chunk_written.valid() ? chunk_written.get() : Status::Ok(); };
    Status written = staged.writes.MoveInChunks(wb_, chunk_bytes_, [&](rocksdb::WriteBatch& chunk) {
      Status before = landed();
      if (!before.ok()) return before;
      std::swap(chunk, in_flight_);  // MoveInChunks clears `chunk` (the landed one) next
      chunk_written = std::async(std::launch::async, [&] { return write_(in_flight_, staged); });
      return Status::Ok();
    });
    if (Status before = landed(); written.ok()) written = before;
    if (written.ok()) written = write_(wb_, staged);
    // Freed on this thread, not on the caller's when it collects the status (the task's captures
    // live as long as its future): the serialized statuses, the orders the cache evicted.
    staged = ProjectionBatch::Staged();
    return written;
  });
  return Status::Ok();
}

Status BatchWriter::Wait() { return done_.valid() ? done_.get() : Status::Ok(); }

bool BatchWriter::finished() const {
  return done_.valid() && done_.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
}

}  // namespace gendan
