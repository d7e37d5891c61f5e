#pragma once
#include <ATen/core/Tensor.h>

#include <cstddef>
#include <vector>

namespace sage {

class DistributedContext;

/// Sums the gradients of a model's parameters over every rank of a group, the way PyTorch's
/// DistributedDataParallel does: the parameters are grouped into buckets of about `bucketBytes`
/// (DDP's size rule), each bucket's gradients are flattened into one tensor and all-reduced by the
/// c10d process group in one collective, all buckets in flight at once, and the sums copied back. A parameter
/// without a gradient on a rank (it took no part in that rank's loss) contributes zeros.
///
/// It sums rather than averages: the trainer scales each rank's loss by that rank's share of the
/// minibatch, so the sum is the whole minibatch's gradient.
class GradientAllReducer {
public:
    static constexpr size_t kDefaultBucketBytes = 25u << 20;  // DDP's bucket_cap_mb = 25

    GradientAllReducer(DistributedContext& group, std::vector<at::Tensor> parameters,
                       size_t bucketBytes = kDefaultBucketBytes);

    /// Replaces every parameter's gradient with its sum over the ranks. Call on every rank.
    void allReduce();
    size_t bucketCount() const { return m_buckets.size(); }

private:
    DistributedContext& m_group;
    std::vector<at::Tensor> m_parameters;
    std::vector<std::vector<size_t>> m_buckets;  // parameter indices per bucket
};

}  // namespace sage
