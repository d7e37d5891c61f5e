#pragma once
#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "config/run_config.h"
#include "data/leave_one_out_split.h"
#include "data/sequence_dataset.h"
#include "training/slate_environment.h"

namespace sage {


/// The built-in user simulator of ENVIRONMENTS.md section 3: users and items with known latent
/// vectors, popularity-biased logged histories for contexts, and a click model with position
/// decay and fatigue for repeated categories. Deterministic for a seed; plain C++ (no torch).
///
/// The logged histories are split leave-one-out like the Amazon data (ENVIRONMENTS.md 2): RL
/// contexts are the training parts only, so the last two logged items of every user stay held out
/// for the ranking evaluation.
class SyntheticEnvironment final : public SlateEnvironment {
public:
    SyntheticEnvironment(const RunConfig::Environment& options, uint64_t seed);

    int userCount() const { return m_userCount; }
    int64_t itemCount() const override { return m_itemCount; }
    int categoryCount() const { return m_categoryCount; }

    /// The user's logged clicks in order (0-based item ids), at least 8 items.
    const std::vector<int64_t>& history(int user) const { return m_logged.sequences.at(user); }
    /// Every user's logged history, each item's category as its one attribute (entropy@10).
    const SequenceDataset& logged() const { return m_logged; }
    /// The leave-one-out split of the logged histories; training(user) is the user's RL context.
    const LeaveOneOutSplit& split() const { return *m_split; }
    /// One flag per item (1 = released late), the simulator's ground truth of cold start.
    const std::vector<uint8_t>& coldItems() const { return m_itemCold; }
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

    /// Users drawn uniformly; the context is the training part of the user's logged history.
    std::vector<SlateContext> drawContexts(int count, std::mt19937_64& rng) const override;
    SlateResponse respond(const SlateContext& context, const std::vector<int64_t>& slate,
                          std::mt19937_64& rng) const override {
        return respond(static_cast<int>(context.user), slate, rng);
    }
    double listEntropy(const std::vector<int64_t>& slate) const override {
        return normalisedCategoryEntropy(slate);
    }

    /// Samples the user's response to a slate (examination, clicks with fatigue, purchases, dwell,
    /// dislikes) and returns every reward component. Throws std::out_of_range for an item outside
    /// the catalogue.
    SlateResponse respond(int user, const std::vector<int64_t>& slate, std::mt19937_64& rng) const;

    /// The exact expectation of respond() over its randomness, from the known click model: per
    /// position k, P(examined) = 0.85^(k−1), P(click | examined) = σ(a·s + b₀)·0.7^n, purchase and
    /// dislike probabilities, the dwell a click holds. Same components, same cold parts.
    SlateResponse expectedResponse(int user, const std::vector<int64_t>& slate) const;

    /// Normalised category entropy Ĥ of a slate (SAGE.md 4.5): 1 for all-distinct categories.
    double normalisedCategoryEntropy(const std::vector<int64_t>& slate) const;

private:
    /// What the click model gives one slate position before any draw: respond() samples these
    /// events, expectedResponse() takes their expectation, so the two cannot disagree.
    struct PositionOdds {
        double examine;   // P(the position is examined)
        double click;     // P(click | examined), fatigue included
        double purchase;  // P(purchase | click)
        double dwell;     // the dwell a click holds (not random)
        double dislike;   // P(dislike | examined, no click)
        bool cold;
    };
    std::vector<PositionOdds> positionOdds(int user, const std::vector<int64_t>& slate) const;

    void generateWorld(std::mt19937_64& rng);
    void calibrateClickBias(std::mt19937_64& rng);
    void generateHistories(std::mt19937_64& rng);

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
    SequenceDataset m_logged;
    std::optional<LeaveOneOutSplit> m_split;  // made once the histories exist
};

}  // namespace sage
