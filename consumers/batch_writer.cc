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
    Status written = staged.writes.MoveInChunks(
        wb_, chunk_bytes_, [&](rocksdb::WriteBatch& chunk) { return write_(chunk, staged); });
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
