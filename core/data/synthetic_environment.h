#pragma once
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "config/run_config.h"
#include "training/slate_environment.h"

namespace sage {


/// The built-in user simulator of ENVIRONMENTS.md section 3: users and items with known latent
/// vectors, popularity-biased logged histories for contexts, and a click model with position
/// decay and fatigue for repeated categories. Deterministic for a seed; plain C++ (no torch).
class SyntheticEnvironment final : public SlateEnvironment {
public:
    SyntheticEnvironment(const RunConfig::Environment& options, uint64_t seed);

    int userCount() const { return m_userCount; }
    int64_t itemCount() const override { return m_itemCount; }
    int categoryCount() const { return m_categoryCount; }

    /// The user's logged clicks in order (0-based item ids), at least 8 items.
    const std::vector<int64_t>& history(int user) const { return m_histories.at(user); }
    int category(int64_t item) const { return m_itemCategory.at(item); }
    bool isCold(int64_t item) const { return m_itemCold.at(item) != 0; }
    /// b₀ of the click model, calibrated for a base click rate of about 5 %.
    double clickBias() const { return m_clickBias; }
    /// s(u, j) = u·v_j/√d + 0.5·q_j.
    double affinity(int user, int64_t item) const;

    static const std::vector<std::string>& componentNames();
    static const std::vector<double>& defaultWeights();
    const std::vector<std::string>& components() const override { return componentNames(); }
    const std::vector<bool>& itemAttributable() const override;
    std::vector<double> weights(const RunConfig::Rewards& r) const override {
        return {r.click, r.purchase, r.dwell, r.dislike, r.diversity, r.coldClick};
    }

    /// Users drawn uniformly; the context is the user's logged history.
    std::vector<SlateContext> drawContexts(int count, std::mt19937_64& rng) const override;
    SlateResponse respond(const SlateContext& context, const std::vector<int64_t>& slate,
                          std::mt19937_64& rng) const override {
        return respond(static_cast<int>(context.user), slate, rng);
    }
    double listEntropy(const std::vector<int64_t>& slate) const override {
        return normalisedCategoryEntropy(slate);
    }

    /// Samples the user's response to a slate (examination, clicks with fatigue, purchases, dwell,
    /// dislikes) and returns every reward component.
    SlateResponse respond(int user, const std::vector<int64_t>& slate, std::mt19937_64& rng) const;

    /// Normalised category entropy Ĥ of a slate (SAGE.md 4.5): 1 for all-distinct categories.
    double normalisedCategoryEntropy(const std::vector<int64_t>& slate) const;

private:
    void generateWorld(std::mt19937_64& rng);
    void calibrateClickBias(std::mt19937_64& rng);
    void generateHistories(std::mt19937_64& rng);
    double clickProbability(int user, int64_t item, int earlierSameCategory) const;

    int m_userCount;
    int m_itemCount;
    int m_categoryCount;
    int m_dim;
    double m_clickBias = 0.0;
    std::vector<float> m_userVectors;  // users × dim
    std::vector<float> m_itemVectors;  // items × dim
    std::vector<float> m_itemQuality;
    std::vector<int> m_itemCategory;
    std::vector<uint8_t> m_itemCold;
    std::vector<std::vector<int64_t>> m_histories;
};

}  // namespace sage
