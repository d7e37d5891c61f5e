#pragma once
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "config/run_config.h"

namespace sage {

/// One user context of an RL iteration: what the policy sees (the history) and, for logged data,
/// the real future that scores the slate.
struct SlateContext {
    int64_t user = 0;
    std::vector<int64_t> history;  // chronological item ids
    std::vector<int64_t> future;   // the next items (offline feedback); empty for the simulator
};

/// The rewards one slate earned, one entry per component, and the part of each that cold-start
/// items earned (SAGE's cold_hit and cold_share boost modes read it).
struct SlateResponse {
    std::vector<double> components;
    std::vector<double> coldComponents;
};

/// Where RL slates are scored (ENVIRONMENTS.md): the built-in simulator or the offline Amazon data.
class SlateEnvironment {
public:
    virtual ~SlateEnvironment() = default;
    virtual int64_t itemCount() const = 0;
    /// Reward component names, in the order of SlateResponse::components.
    virtual const std::vector<std::string>& components() const = 0;
    /// Which components items earn one by one (attributable to cold-start items).
    virtual const std::vector<bool>& itemAttributable() const = 0;
    /// The weights w_m of the components, from the configuration's `rewards` section.
    virtual std::vector<double> weights(const RunConfig::Rewards& rewards) const = 0;
    virtual std::vector<SlateContext> drawContexts(int count, std::mt19937_64& rng) const = 0;
    virtual SlateResponse respond(const SlateContext& context, const std::vector<int64_t>& slate,
                                  std::mt19937_64& rng) const = 0;
    /// Normalised category entropy Ĥ of a slate (SAGE.md 4.5).
    virtual double listEntropy(const std::vector<int64_t>& slate) const = 0;
};

}  // namespace sage
