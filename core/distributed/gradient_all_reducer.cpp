#include "distributed/gradient_all_reducer.h"

#include "distributed/distributed_context.h"

namespace sage {

GradientAllReducer::GradientAllReducer(DistributedContext& group, std::vector<at::Tensor> parameters,
                                       size_t bucketBytes)
    : m_group(group), m_parameters(std::move(parameters)) {
    // DDP's rule (c10d::compute_bucket_assignment_by_size, whose header Debian's package cannot
    // compile): consecutive parameters of one type fill a bucket until it holds bucketBytes.
    std::vector<size_t> bucket;
    size_t bytes = 0;
    for (size_t index = 0; index < m_parameters.size(); ++index) {
        const auto& parameter = m_parameters[index];
        if (!bucket.empty() && parameter.scalar_type() != m_parameters[bucket.front()].scalar_type()) {
            m_buckets.push_back(std::move(bucket));
            bucket.clear();
            bytes = 0;
        }
        bucket.push_back(index);
        bytes += parameter.numel() * parameter.element_size();
        if (bytes >= bucketBytes) {
            m_buckets.push_back(std::move(bucket));
            bucket.clear();
            bytes = 0;
        }
    }
    if (!bucket.empty()) m_buckets.push_back(std::move(bucket));
}

void GradientAllReducer::allReduce() {
    if (m_group.worldSize() == 1) return;
    std::vector<at::Tensor> flat;
    for (const auto& bucket : m_buckets) {
        std::vector<at::Tensor> pieces;
        for (size_t index : bucket) {
            const auto& parameter = m_parameters[index];
            const auto& grad = parameter.grad();
            pieces.push_back(grad.defined() ? grad.reshape(-1) : at::zeros({parameter.numel()}, parameter.options()));
        }
        flat.push_back(at::cat(pieces));
    }
    m_group.allReduceSum(flat);
    for (size_t b = 0; b < m_buckets.size(); ++b) {
        int64_t offset = 0;
        for (size_t index : m_buckets[b]) {
            auto& parameter = m_parameters[index];
            const int64_t count = parameter.numel();
            const auto summed = flat[b].narrow(0, offset, count).view(parameter.sizes());
            offset += count;
            if (parameter.grad().defined()) parameter.mutable_grad().copy_(summed);
            else parameter.mutable_grad() = summed.clone();
        }
    }
}

}  // namespace sage
