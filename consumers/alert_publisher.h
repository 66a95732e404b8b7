// AlertPublisher: drains the projector's alert outbox to gendan.alerts exactly once.
//
//   AlertPublisher publisher(config, store, &metrics);
//   Status s = publisher.Start();   // fences a zombie, then drops what an earlier run published
//   s = publisher.Drain(added);     // after each read-model write, with the records it added
//
// Records go to the gendan.alerts partition with the number of the gendan.events partition they
// came from, in sequence order, inside one Kafka transaction per drain; after the commit the
// outbox entries are deleted and the partition's end offset is stored ("qo/"). A crash between
// the two leaves records both on the topic and in the outbox: Start reads each partition from
// its stored offset to the end and deletes the outbox entries whose sequence it finds there, so
// a restart neither repeats nor loses an alert. Not thread-safe; the projector's thread uses it.
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "consumers/config.h"
#include "consumers/projector_service.h"
#include "engine/status.h"
#include "projections/read_model_store.h"

namespace gendan {

class AlertPublisher : public RdKafka::DeliveryReportCb {
 public:
  AlertPublisher(const Config& config, ReadModelStore* store, ProjectorMetrics* metrics);
  ~AlertPublisher() override;

  Status Start();
  // Publishes what the outbox holds (in bounded transactions) and removes it from the outbox.
  // `added`: the records (outbox key, alert) the last read-model write added to it; when the
  // outbox was empty before, they are all it holds and are published without reading it.
  using Records = std::vector<std::pair<std::string, v1::Alert>>;
  Status Drain(Records added);

  // What gendan.alerts partition `partition` holds: the highest alert sequence on it, its end
  // offset and, `with_keys`, every record's ProjectionBatch::PublishedKey (the whole partition
  // is read then; else only its tail); none while it is empty. For a projector taking the
  // partition over from another instance (ProjectionBatch::Adopt).
  struct Published {
    int64_t last_sequence = 0;
    int64_t end_offset = 0;
    std::unordered_set<std::string> keys;
  };
  Result<std::optional<Published>> LastPublished(int32_t partition, bool with_keys);

  void dr_cb(RdKafka::Message& message) override;

 private:
  Status Recover();
  // A read_committed consumer of gendan.alerts for `purpose` (its own group id suffix).
  Result<std::unique_ptr<RdKafka::KafkaConsumer>> Reader(const std::string& purpose);
  // Calls fn with every alert of `partition` from offset `from` to the partition's end.
  Status ReadAlerts(RdKafka::KafkaConsumer& reader, int32_t partition, int64_t from,
                    const std::function<void(const v1::Alert&)>& fn);
  Status PublishRecords(const Records& records, bool* published);
  Status WriteOutbox(rocksdb::WriteBatch& wb);

  Config config_;
  ReadModelStore* store_;
  ProjectorMetrics* metrics_;
  const std::string topic_;
  std::unique_ptr<RdKafka::Producer> producer_;
  std::map<int32_t, int64_t> last_offset_;  // per partition, from delivery reports
  std::string delivery_error_;
  // The outbox is known to be empty (every record drained, its deletion written); false until a
  // drain read it, and after any failure.
  bool outbox_empty_ = false;
};

}  // namespace gendan
