// BatchWriter: writes ProjectionBatch's staged batches on a second thread while the caller
// applies the next one (the projector's loop, `gendan rebuild`). One batch is in flight at a
// time, so batches land in the order they were submitted — what ProjectionBatch::Stage needs.
//
//   BatchWriter writer("gendan-proj-w", [&](rocksdb::WriteBatch& wb, ProjectionBatch::Staged&) {
//     return store.Write(&wb);
//   });                    // optionally a Prepare step, e.g. ProjectionBatch::StageCells
//   auto staged = batch.Stage();
//   Status s = writer.Submit(std::move(*staged));  // the status of the batch before it
//   s = writer.Wait();                             // everything submitted landed
//
// Not thread-safe: one caller thread.
#pragma once

#include <rocksdb/write_batch.h>

#include <functional>
#include <future>
#include <string>

#include "engine/status.h"
#include "projections/projector.h"

namespace gendan {

class BatchWriter {
 public:
  // Runs on the writer thread with the staged writes moved into `wb`, in key order.
  using Write = std::function<Status(rocksdb::WriteBatch& wb, ProjectionBatch::Staged& staged)>;
  // Runs on the writer thread first, before the staged writes are sorted; a failure skips the
  // write and is the batch's status.
  using Prepare = std::function<Status(ProjectionBatch::Staged& staged)>;
  BatchWriter(std::string thread_name, Write write, Prepare prepare = {})
      : thread_name_(std::move(thread_name)),
        write_(std::move(write)),
        prepare_(std::move(prepare)) {}
  ~BatchWriter() { (void)Wait(); }
  BatchWriter(const BatchWriter&) = delete;
  BatchWriter& operator=(const BatchWriter&) = delete;

  // Each batch may land in several writes of about `bytes` (Writes::MoveInChunks), all on the
  // writer thread before the next batch starts: only for a store nothing reads until it is
  // complete (a rebuild's generation), since a crash may leave part of a batch written.
  void WriteInChunks(size_t bytes) { chunk_bytes_ = bytes; }
  // Waits for the batch in flight, then starts writing `staged`. Returns the earlier batch's
  // status; on a failure `staged` is not written.
  Status Submit(ProjectionBatch::Staged staged);
  // Waits for the batch in flight: its status, Ok when there is none.
  Status Wait();
  bool busy() const { return done_.valid(); }
  // A batch is in flight and has finished (Wait returns at once).
  bool finished() const;

 private:
  const std::string thread_name_;
  const Write write_;
  const Prepare prepare_;
  size_t chunk_bytes_ = 0;  // 0: each batch in one write
  rocksdb::WriteBatch wb_;  // reused: its buffer is the size of a batch (or of a chunk)
  std::future<Status> done_;
};

}  // namespace gendan
