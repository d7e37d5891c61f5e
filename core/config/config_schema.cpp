#include "config/config_schema.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>
#include <string_view>
#include <type_traits>

namespace sage {

using nlohmann::json;

namespace {

std::string formatNumber(double value) {
    std::ostringstream out;
    out << value;
    return out.str();
}

/// Builds a field from an accessor returning a reference into RunConfig, so that get and set can
/// never disagree on which member they touch.
template <typename Accessor>
FieldSpec field(FieldKind kind, std::string key, std::string label, std::string help, Accessor ref) {
    FieldSpec spec;
    spec.kind = kind;
    spec.key = std::move(key);
    spec.label = std::move(label);
    spec.help = std::move(help);
    spec.get = [ref](const RunConfig& config) {
        return json(ref(const_cast<RunConfig&>(config)));
    };
    spec.set = [ref](RunConfig& config, const json& value) {
        using Value = std::decay_t<decltype(ref(config))>;
        ref(config) = value.get<Value>();
    };
    spec.applies = [](const RunConfig&) { return true; };
    return spec;
}

template <typename Accessor>
FieldSpec ranged(FieldKind kind, std::string key, std::string label, std::string help, double min,
                 double max, Accessor ref) {
    FieldSpec spec = field(kind, std::move(key), std::move(label), std::move(help), ref);
    spec.min = min;
    spec.max = max;
    return spec;
}

template <typename Accessor>
FieldSpec choice(std::string key, std::string label, std::string help,
                 std::vector<std::string> choices, Accessor ref) {
    FieldSpec spec = field(FieldKind::Choice, std::move(key), std::move(label), std::move(help), ref);
    spec.choices = std::move(choices);
    return spec;
}

/// The value as a message shows it: JSON, cut short when long.
std::string shown(const json& value) {
    constexpr size_t kMax = 60;
    // replace: never throw on bytes that are not UTF-8, whatever the value holds.
    std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
    if (text.size() > kMax) text = text.substr(0, kMax) + "...";
    return text;
}

/// Well-formed UTF-8 as RFC 3629 defines it (no overlong forms, no surrogates, at most U+10FFFF):
/// exactly what nlohmann::json's dump accepts.
bool isUtf8(std::string_view text) {
    size_t i = 0;
    while (i < text.size()) {
        const auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
        const unsigned char lead = byte(i);
        size_t length = 0;
        unsigned char low = 0x80, high = 0xBF;  // allowed range of the second byte
        if (lead < 0x80) length = 1;
        else if (lead >= 0xC2 && lead <= 0xDF) length = 2;
        else if (lead == 0xE0) length = 3, low = 0xA0;
        else if (lead >= 0xE1 && lead <= 0xEF) length = 3, high = lead == 0xED ? 0x9F : 0xBF;
        else if (lead == 0xF0) length = 4, low = 0x90;
        else if (lead >= 0xF1 && lead <= 0xF3) length = 4;
        else if (lead == 0xF4) length = 4, high = 0x8F;
        else return false;
        if (i + length > text.size()) return false;
        for (size_t k = 1; k < length; ++k) {
            const unsigned char next = byte(i + k);
            if (next < (k == 1 ? low : 0x80) || next > (k == 1 ? high : 0xBF)) return false;
        }
        i += length;
    }
    return true;
}

constexpr double kMaxExactInteger = 9007199254740992.0;  // 2^53: JSON numbers stay exact below it

std::vector<FieldSpec> buildFields() {
    using K = FieldKind;
    std::vector<FieldSpec> f;
    f.push_back(field(K::Text, "name", "Run name", "Shown in the run list; any text.",
                      [](RunConfig& c) -> std::string& { return c.name; }));

    f.push_back(choice("environment.kind", "Environment",
                       "synthetic: the built-in user simulator (ENVIRONMENTS.md 3); amazon: S3-Rec "
                       "sequence files such as ../shared/data/amazon/Beauty.txt.",
                       {"synthetic", "amazon"},
                       [](RunConfig& c) -> std::string& { return c.environment.kind; }));
    const auto amazon = [](const RunConfig& c) { return c.environment.kind == "amazon"; };
    f.push_back(field(K::Path, "environment.data_path", "Data file",
                      "The S3-Rec <name>.txt file: one user per line, `user item item ...`.",
                      [](RunConfig& c) -> std::string& { return c.environment.dataPath; }));
    f.back().applies = amazon;
    f.push_back(field(K::Path, "environment.attributes_path", "Attributes file",
                      "<name>_item2attributes.json; empty: the one next to the data file, if any.",
                      [](RunConfig& c) -> std::string& { return c.environment.attributesPath; }));
    f.back().applies = amazon;
    f.push_back(choice("environment.action_space", "Action space",
                       "item_id: one token per item; semantic_id: RQ-KMeans codes (ENVIRONMENTS.md 1).",
                       {"item_id", "semantic_id"},
                       [](RunConfig& c) -> std::string& { return c.environment.actionSpace; }));
    f.back().applies = amazon;
    f.push_back(choice("environment.collision_level", "Last code level",
                       "semantic_id's last level. index: numbers the items that share the "
                       "RQ-KMeans codes (TIGER); item: the item's own token, so every history "
                       "item also has an embedding of its own.",
                       {"index", "item"},
                       [](RunConfig& c) -> std::string& { return c.environment.collisionLevel; }));
    const auto semanticIds = [](const RunConfig& c) {
        return c.environment.kind == "amazon" && c.environment.actionSpace == "semantic_id";
    };
    f.back().applies = semanticIds;
    f.push_back(ranged(K::Integer, "environment.code_levels", "Code levels",
                       "semantic_id: RQ-KMeans levels before the last level (ENVIRONMENTS.md 1: 3).",
                       1, 8, [](RunConfig& c) -> int& { return c.environment.codeLevels; }));
    f.back().applies = semanticIds;
    f.push_back(ranged(K::Integer, "environment.codebook_size", "Codes per level",
                       "semantic_id: k of each RQ-KMeans level (ENVIRONMENTS.md 1: 256).",
                       2, 65536, [](RunConfig& c) -> int& { return c.environment.codebookSize; }));
    f.back().applies = semanticIds;
    f.push_back(ranged(K::Integer, "environment.cold_max_train_count", "Cold-start threshold",
                       "Items with at most this many training interactions are cold-start.", 0, 1000,
                       [](RunConfig& c) -> int& { return c.environment.coldMaxTrainCount; }));
    f.back().applies = amazon;
    const auto synthetic = [](const RunConfig& c) { return c.environment.kind == "synthetic"; };
    f.push_back(ranged(K::Integer, "environment.users", "Users", "Simulated users.", 10, 1e6,
                       [](RunConfig& c) -> int& { return c.environment.users; }));
    f.back().applies = synthetic;
    f.push_back(ranged(K::Integer, "environment.items", "Items", "Catalogue size.", 10, 1e6,
                       [](RunConfig& c) -> int& { return c.environment.items; }));
    f.back().applies = synthetic;
    f.push_back(ranged(K::Integer, "environment.categories", "Categories", "Item categories.", 1,
                       1000, [](RunConfig& c) -> int& { return c.environment.categories; }));
    f.back().applies = synthetic;
    f.push_back(ranged(K::Integer, "environment.latent_dim", "Latent dimension",
                       "Dimension of the simulator's user and item vectors.", 2, 256,
                       [](RunConfig& c) -> int& { return c.environment.latentDim; }));
    f.back().applies = synthetic;

    f.push_back(choice("model.kind", "Model",
                       "mlp: a pooled-history scorer; transformer: the decoder-only generative "
                       "recommender over item tokens.",
                       {"mlp", "transformer"},
                       [](RunConfig& c) -> std::string& { return c.model.kind; }));
    const auto transformer = [](const RunConfig& c) { return c.model.kind == "transformer"; };
    f.push_back(ranged(K::Integer, "model.layers", "Layers", "Transformer blocks.", 1, 48,
                       [](RunConfig& c) -> int& { return c.model.layers; }));
    f.back().applies = transformer;
    f.push_back(ranged(K::Integer, "model.heads", "Heads", "Attention heads; must divide the width.",
                       1, 64, [](RunConfig& c) -> int& { return c.model.heads; }));
    f.back().applies = transformer;
    f.push_back(ranged(K::Real, "model.dropout", "Dropout", "Dropout during supervised training.",
                       0.0, 0.9, [](RunConfig& c) -> double& { return c.model.dropout; }));
    f.back().applies = transformer;
    f.push_back(ranged(K::Integer, "model.embedding_dim", "Embedding size",
                       "Width of item embeddings (the Transformer's d_model).", 4, 1024,
                       [](RunConfig& c) -> int& { return c.model.embeddingDim; }));
    f.push_back(ranged(K::Integer, "model.hidden_dim", "Hidden size",
                       "Width of the hidden layer (the Transformer's feed-forward width).",
                       4, 4096, [](RunConfig& c) -> int& { return c.model.hiddenDim; }));
    f.push_back(ranged(K::Integer, "model.history_window", "History window",
                       "How many of the user's latest items form the context.", 1, 512,
                       [](RunConfig& c) -> int& { return c.model.historyWindow; }));

    f.push_back(choice("objective.kind", "Objective", "The policy-optimisation objective (SAGE.md 4).",
                       {"sage", "gbpo", "gspo", "grpo", "ecpo"},
                       [](RunConfig& c) -> std::string& { return c.objective.kind; }));
    const auto is = [](std::initializer_list<const char*> kinds) {
        std::vector<std::string> names(kinds.begin(), kinds.end());
        return [names](const RunConfig& c) {
            return std::find(names.begin(), names.end(), c.objective.kind) != names.end();
        };
    };
    const auto sageWith = [](const char* form) {
        return [form = std::string(form)](const RunConfig& c) {
            return c.objective.kind == "sage" && c.objective.sageForm == form;
        };
    };
    f.push_back(choice("objective.advantage", "Advantage",
                       "auto: decoupled for SAGE, group otherwise (SAGE.md 3).",
                       {"auto", "group", "decoupled", "sign"},
                       [](RunConfig& c) -> std::string& { return c.objective.advantage; }));
    f.push_back(ranged(K::Real, "objective.sign_floor", "Sign floor",
                       "Sign advantages: a slate whose reward is below this gets −1.", -1e6, 1e6,
                       [](RunConfig& c) -> double& { return c.objective.signFloor; }));
    f.back().applies = [](const RunConfig& c) { return c.objective.advantage == "sign"; };
    f.push_back(choice("objective.ratio_level", "Ratio level",
                       "token: the denominator per token; sequence: the slate's geometric mean.",
                       {"token", "sequence"},
                       [](RunConfig& c) -> std::string& { return c.objective.ratioLevel; }));
    f.back().applies = is({"gbpo", "ecpo"});
    f.push_back(ranged(K::Real, "objective.clip_low", "Clip ε low",
                       "Lower clip: token ratios below 1−ε_low stop pushing.", 0.0, 1.0,
                       [](RunConfig& c) -> double& { return c.objective.clipLow; }));
    f.back().applies = is({"grpo"});
    f.push_back(ranged(K::Real, "objective.clip_high", "Clip ε high",
                       "Upper clip: token ratios above 1+ε_high stop pushing.", 0.0, 10.0,
                       [](RunConfig& c) -> double& { return c.objective.clipHigh; }));
    f.back().applies = is({"grpo"});
    f.push_back(field(K::Boolean, "objective.dual_clip", "Dual clip",
                      "Bound negative-advantage terms by c·A (SAGE.md 4.1).",
                      [](RunConfig& c) -> bool& { return c.objective.dualClip; }));
    f.back().applies = is({"grpo"});
    f.push_back(ranged(K::Real, "objective.dual_clip_c", "Dual clip c", "The dual-clip constant.",
                       1.0, 100.0, [](RunConfig& c) -> double& { return c.objective.dualClipC; }));
    f.back().applies = [sageWith](const RunConfig& c) {
        return (c.objective.kind == "grpo" && c.objective.dualClip) || sageWith("asym_clip")(c);
    };
    f.push_back(ranged(K::Real, "objective.gspo_clip_low", "GSPO ε low",
                       "Lower clip of the sequence ratio.", 0.0, 1.0,
                       [](RunConfig& c) -> double& { return c.objective.gspoClipLow; }));
    f.back().applies = is({"gspo"});
    f.push_back(ranged(K::Real, "objective.gspo_clip_high", "GSPO ε high",
                       "Upper clip of the sequence ratio.", 0.0, 10.0,
                       [](RunConfig& c) -> double& { return c.objective.gspoClipHigh; }));
    f.back().applies = is({"gspo"});
    f.push_back(ranged(K::Real, "objective.ecpo_epsilon", "ECPO ε", "Clip range of r'.", 0.0, 1.0,
                       [](RunConfig& c) -> double& { return c.objective.ecpoEpsilon; }));
    f.back().applies = is({"ecpo"});
    f.push_back(ranged(K::Real, "objective.ecpo_delta", "ECPO δ",
                       "Early-clip margin: r' never exceeds 1+ε+δ.", 0.0, 10.0,
                       [](RunConfig& c) -> double& { return c.objective.ecpoDelta; }));
    f.back().applies = is({"ecpo"});
    f.push_back(choice("objective.boost_mode", "Boost eligibility",
                       "Which successful slates may be boosted: every positive one, those with a "
                       "rewarded cold-start item, or by the cold-start share of their reward.",
                       {"positive", "cold_hit", "cold_share"},
                       [](RunConfig& c) -> std::string& { return c.objective.boostMode; }));
    f.back().applies = is({"sage"});
    f.push_back(ranged(K::Real, "objective.boost_epsilon", "ε boost",
                       "Positive cap Γ⁺ = 1 + ε_boost·b; 0 removes the boost.", 0.0, 10.0,
                       [](RunConfig& c) -> double& { return c.objective.boostEpsilon; }));
    f.back().applies = is({"sage"});
    f.push_back(ranged(K::Real, "objective.kappa", "κ",
                       "Entropy-aware penalty strength; 0 removes the penalty.", 0.0, 10.0,
                       [](RunConfig& c) -> double& { return c.objective.kappa; }));
    f.back().applies = sageWith("gbpo_bounds");
    f.push_back(choice("objective.penalty_shape", "Penalty shape",
                       "Λ from Ĥ: linear 1+κ(1−Ĥ), threshold 1+κ·max(0, τ−Ĥ)/τ, exp e^{κ(1−Ĥ)}.",
                       {"linear", "threshold", "exp"},
                       [](RunConfig& c) -> std::string& { return c.objective.penaltyShape; }));
    f.back().applies = sageWith("gbpo_bounds");
    f.push_back(ranged(K::Real, "objective.penalty_tau", "Penalty τ",
                       "Entropy below which the threshold penalty acts.", 1e-3, 1.0,
                       [](RunConfig& c) -> double& { return c.objective.penaltyTau; }));
    f.back().applies = [sageWith](const RunConfig& c) {
        return sageWith("gbpo_bounds")(c) && c.objective.penaltyShape == "threshold";
    };
    f.push_back(choice("objective.sage_form", "SAGE form",
                       "gbpo_bounds: adaptive GBPO denominators (default); asym_clip: PPO-style "
                       "asymmetric clipping.",
                       {"gbpo_bounds", "asym_clip"},
                       [](RunConfig& c) -> std::string& { return c.objective.sageForm; }));
    f.back().applies = is({"sage"});
    f.push_back(choice("objective.boost_form", "Boost form",
                       "bound: relax the positive cap to Γ⁺; advantage: scale A by Γ⁺ instead.",
                       {"bound", "advantage"},
                       [](RunConfig& c) -> std::string& { return c.objective.boostForm; }));
    f.back().applies = sageWith("gbpo_bounds");
    f.push_back(ranged(K::Real, "objective.asym_epsilon", "Asym clip ε",
                       "Base clip range of the asym_clip form.", 0.0, 0.9,
                       [](RunConfig& c) -> double& { return c.objective.asymEpsilon; }));
    f.back().applies = sageWith("asym_clip");
    f.push_back(ranged(K::Real, "objective.asym_entropy_epsilon", "Asym clip ε_H",
                       "Extra lower clip range for homogeneous negatives.", 0.0, 0.9,
                       [](RunConfig& c) -> double& { return c.objective.asymEntropyEpsilon; }));
    f.back().applies = sageWith("asym_clip");
    f.push_back(ranged(K::Real, "objective.kl_beta", "KL β",
                       "Weight of the k3 KL to the frozen reference policy (always logged).", 0.0,
                       100.0, [](RunConfig& c) -> double& { return c.objective.klBeta; }));
    f.push_back(ranged(K::Real, "objective.sft_alpha", "SFT mix α",
                       "Weight of a next-item loss on logged histories.", 0.0, 100.0,
                       [](RunConfig& c) -> double& { return c.objective.sftAlpha; }));

    const auto onSynthetic = [](const RunConfig& c) { return c.environment.kind == "synthetic"; };
    const auto onAmazon = [](const RunConfig& c) { return c.environment.kind == "amazon"; };
    const auto weight = [&](const char* key, const char* label, const char* help, double RunConfig::Rewards::*member,
                            std::function<bool(const RunConfig&)> applies) {
        f.push_back(ranged(K::Real, key, label, help, -100.0, 100.0,
                           [member](RunConfig& c) -> double& { return c.rewards.*member; }));
        f.back().applies = std::move(applies);
    };
    weight("rewards.click", "w click", "Weight of clicks.", &RunConfig::Rewards::click, onSynthetic);
    weight("rewards.purchase", "w purchase", "Weight of purchases.", &RunConfig::Rewards::purchase, onSynthetic);
    weight("rewards.dwell", "w dwell", "Weight of dwell time.", &RunConfig::Rewards::dwell, onSynthetic);
    weight("rewards.dislike", "w dislike", "Weight of dislikes (negative: a dislike costs).",
           &RunConfig::Rewards::dislike, onSynthetic);
    weight("rewards.cold_click", "w cold click", "Weight of clicks on cold-start items.",
           &RunConfig::Rewards::coldClick, onSynthetic);
    weight("rewards.hit", "w hit", "Weight of 1/log2(2+position) when the next item is in the slate.",
           &RunConfig::Rewards::hit, onAmazon);
    weight("rewards.future_hit", "w future hit", "Weight of the share of the next F items in the slate.",
           &RunConfig::Rewards::futureHit, onAmazon);
    weight("rewards.relevance", "w relevance",
           "Weight of the mean cosine similarity of slate and future items.", &RunConfig::Rewards::relevance,
           onAmazon);
    weight("rewards.cold_hit", "w cold hit", "Weight of a cold-start future item in the slate.",
           &RunConfig::Rewards::coldHit, onAmazon);
    weight("rewards.invalid", "w invalid", "Weight of the share of positions that are not a real, new item.",
           &RunConfig::Rewards::invalid, onAmazon);
    weight("rewards.diversity", "w diversity", "Weight of the slate's category entropy Ĥ.",
           &RunConfig::Rewards::diversity, [](const RunConfig&) { return true; });

    f.push_back(choice("optimizer.kind", "Optimizer", "Update rule.", {"adamw", "adam", "sgd"},
                       [](RunConfig& c) -> std::string& { return c.optimizer.kind; }));
    f.push_back(ranged(K::Real, "optimizer.learning_rate", "Learning rate", "Step size.", 1e-8, 1.0,
                       [](RunConfig& c) -> double& { return c.optimizer.learningRate; }));
    f.push_back(ranged(K::Real, "optimizer.weight_decay", "Weight decay",
                       "Decoupled weight decay (adamw) or L2 (adam, sgd).", 0.0, 1.0,
                       [](RunConfig& c) -> double& { return c.optimizer.weightDecay; }));
    f.push_back(ranged(K::Real, "optimizer.grad_clip", "Gradient-norm clip",
                       "Maximum global gradient norm; 0 turns clipping off.", 0.0, 1e6,
                       [](RunConfig& c) -> double& { return c.optimizer.gradClip; }));

    f.push_back(choice("training.stage", "Stage",
                       "rl: policy optimisation with the objective; sft: supervised next-item "
                       "training of the Transformer on the training split.",
                       {"rl", "sft"}, [](RunConfig& c) -> std::string& { return c.training.stage; }));
    const auto sft = [](const RunConfig& c) { return c.training.stage == "sft"; };
    const auto rl = [](const RunConfig& c) { return c.training.stage == "rl"; };
    f.push_back(ranged(K::Integer, "training.steps", "Steps", "RL iterations.", 1, 1e7,
                       [](RunConfig& c) -> int& { return c.training.steps; }));
    f.back().applies = rl;
    f.push_back(ranged(K::Integer, "training.epochs", "Epochs", "SFT passes over the users.", 1, 10000,
                       [](RunConfig& c) -> int& { return c.training.epochs; }));
    f.back().applies = sft;
    f.push_back(ranged(K::Integer, "training.batch_size", "Batch size", "SFT users per step.", 1,
                       65536, [](RunConfig& c) -> int& { return c.training.batchSize; }));
    f.back().applies = sft;
    f.push_back(ranged(K::Integer, "training.warmup_steps", "Warm-up steps",
                       "SFT linear learning-rate warm-up before the cosine decay.", 0, 1e7,
                       [](RunConfig& c) -> int& { return c.training.warmupSteps; }));
    f.back().applies = sft;
    f.push_back(ranged(K::Integer, "training.patience", "Patience",
                       "SFT stops after this many evaluations without a better validation "
                       "Recall@10.", 1, 1000, [](RunConfig& c) -> int& { return c.training.patience; }));
    f.back().applies = sft;
    f.push_back(ranged(K::Integer, "training.eval_users", "Validation users",
                       "Users per validation pass; 0 uses every user.", 0, 1e8,
                       [](RunConfig& c) -> int& { return c.training.evalUsers; }));
    f.push_back(ranged(K::Integer, "training.eval_beam", "Evaluation beam",
                       "semantic_id: width of the constrained beam that ranks each user's top 10 "
                       "(ENVIRONMENTS.md 4: at least 10). Wider finds more of the most probable "
                       "items and costs time in proportion; item IDs rank exactly.",
                       10, 4096, [](RunConfig& c) -> int& { return c.training.evalBeam; }));
    f.back().applies = semanticIds;
    f.push_back(field(K::Path, "training.init_checkpoint", "Start from",
                      "RL: the SFT model file (sft_best_model.pt) the Transformer starts from; "
                      "empty: random initialisation.",
                      [](RunConfig& c) -> std::string& { return c.training.initCheckpoint; }));
    f.back().applies = [](const RunConfig& c) {
        return c.training.stage == "rl" && c.model.kind == "transformer";
    };
    f.push_back(ranged(K::Integer, "training.future_items", "Future items (F)",
                       "RL on logged data: the real next items that score a slate.", 1, 100,
                       [](RunConfig& c) -> int& { return c.training.futureItems; }));
    f.back().applies = [](const RunConfig& c) {
        return c.training.stage == "rl" && c.environment.kind == "amazon";
    };
    f.push_back(field(K::Path, "training.checkpoint_dir", "Checkpoint folder",
                      "Where checkpoints are written. SFT: the best model and its optimizer (empty: "
                      "none). RL: resume checkpoints under run-<id>/ (empty: <store>.checkpoints).",
                      [](RunConfig& c) -> std::string& { return c.training.checkpointDir; }));
    f.push_back(ranged(K::Integer, "training.checkpoint_every_steps", "Checkpoint every",
                       "RL: a resume checkpoint (model, optimizer, reference policy, random "
                       "states) every N steps and when the run stops; 0: only when it stops.",
                       0, 1e7, [](RunConfig& c) -> int& { return c.training.checkpointEverySteps; }));
    f.back().applies = [](const RunConfig& c) { return c.training.stage == "rl"; };
    f.push_back(ranged(K::Integer, "training.contexts", "Contexts (B)",
                       "User contexts drawn per iteration.", 1, 65536,
                       [](RunConfig& c) -> int& { return c.training.contexts; }));
    f.push_back(ranged(K::Integer, "training.group_size", "Group size (G)",
                       "Slates sampled per context; advantages compare within a group.", 2, 1024,
                       [](RunConfig& c) -> int& { return c.training.groupSize; }));
    f.push_back(ranged(K::Integer, "training.slate_length", "Slate length (K)",
                       "Items per slate.", 1, 100,
                       [](RunConfig& c) -> int& { return c.training.slateLength; }));
    f.push_back(ranged(K::Integer, "training.inner_epochs", "Inner epochs (μ)",
                       "Passes over each rollout.", 1, 100,
                       [](RunConfig& c) -> int& { return c.training.innerEpochs; }));
    f.push_back(ranged(K::Integer, "training.minibatches", "Minibatches",
                       "Minibatches per inner epoch.", 1, 1024,
                       [](RunConfig& c) -> int& { return c.training.minibatches; }));
    f.push_back(ranged(K::Real, "training.temperature", "Sampling temperature",
                       "Rollout temperature (1 = the policy as it is).", 0.01, 100.0,
                       [](RunConfig& c) -> double& { return c.training.temperature; }));
    f.push_back(ranged(K::Integer, "training.seed", "Seed",
                       "Seeds the environment, the model and sampling.", 0, kMaxExactInteger,
                       [](RunConfig& c) -> int64_t& { return c.training.seed; }));
    f.push_back(ranged(K::Integer, "training.threads", "Threads",
                       "LibTorch intra-op threads; 0 uses every core.", 0, 1024,
                       [](RunConfig& c) -> int& { return c.training.threads; }));
    f.push_back(choice("training.device", "Device",
                       "Where the model trains: auto uses a CUDA GPU when LibTorch sees one, else "
                       "the CPU; cuda requires one (a CUDA-enabled LibTorch and a visible GPU).",
                       {"auto", "cpu", "cuda"},
                       [](RunConfig& c) -> std::string& { return c.training.device; }));

    f.push_back(ranged(K::Integer, "logging.every_steps", "Log every", "Scalars every N steps.", 1,
                       1e6, [](RunConfig& c) -> int& { return c.logging.everySteps; }));
    f.push_back(ranged(K::Integer, "logging.slates_every_steps", "Slates every",
                       "Per-slate records every N steps; 0 never.", 0, 1e6,
                       [](RunConfig& c) -> int& { return c.logging.slatesEverySteps; }));
    f.push_back(ranged(K::Integer, "logging.eval_every_steps", "Evaluate every",
                       "RL: validation metrics every N steps, and on the synthetic environment its "
                       "exact expected-reward metrics (0: only at the end, with the test metrics).",
                       0, 1e6, [](RunConfig& c) -> int& { return c.logging.evalEverySteps; }));
    f.back().applies = rl;
    f.push_back(ranged(K::Integer, "logging.flush_every_steps", "Flush every",
                       "Store transaction every N steps, or every 2 s if that comes first; fewer, "
                       "larger transactions cost less (docs/PERFORMANCE.md).", 1, 1e6,
                       [](RunConfig& c) -> int& { return c.logging.flushEverySteps; }));
    return f;
}

}  // namespace

std::string FieldSpec::section() const {
    const auto dot = key.find('.');
    return dot == std::string::npos ? std::string() : key.substr(0, dot);
}

std::string FieldSpec::allowedText() const {
    switch (kind) {
        case FieldKind::Integer:
            return "an integer in [" + formatNumber(min) + ", " + formatNumber(max) + "]";
        case FieldKind::Real:
            return "a number in [" + formatNumber(min) + ", " + formatNumber(max) + "]";
        case FieldKind::Boolean:
            return "true or false";
        case FieldKind::Choice: {
            std::string text = "one of";
            for (size_t i = 0; i < choices.size(); ++i) text += (i ? ", \"" : " \"") + choices[i] + "\"";
            return text;
        }
        case FieldKind::Text:
        case FieldKind::Path:
            return "a string";
    }
    return {};
}

std::optional<std::string> FieldSpec::check(const json& value) const {
    const auto bad = [&] {
        return std::optional<std::string>("got " + shown(value) + ", expected " + allowedText());
    };
    // A string that is not UTF-8 (a --set value is raw bytes from argv) could never be written
    // back: toJson(...).dump() would throw when the run store or saveConfigFile writes it.
    if (value.is_string() && !isUtf8(value.get_ref<const std::string&>()))
        return "got text that is not valid UTF-8, expected " + allowedText();
    switch (kind) {
        case FieldKind::Integer: {
            if (!value.is_number_integer()) return bad();
            // Compare as integers: above 2^53 a double would round the value into range.
            const auto low = static_cast<int64_t>(min);
            const auto high = static_cast<int64_t>(max);
            if (value.is_number_unsigned()) {
                const auto number = value.get<uint64_t>();
                if (number > static_cast<uint64_t>(high) || (low > 0 && number < static_cast<uint64_t>(low)))
                    return bad();
                return std::nullopt;
            }
            const auto number = value.get<int64_t>();
            if (number < low || number > high) return bad();
            return std::nullopt;
        }
        case FieldKind::Real: {
            if (!value.is_number()) return bad();
            const double number = value.get<double>();
            if (!std::isfinite(number) || number < min || number > max) return bad();
            return std::nullopt;
        }
        case FieldKind::Boolean:
            return value.is_boolean() ? std::nullopt : bad();
        case FieldKind::Choice:
            if (!value.is_string()) return bad();
            for (const auto& option : choices)
                if (option == value.get<std::string>()) return std::nullopt;
            return bad();
        case FieldKind::Text:
        case FieldKind::Path:
            return value.is_string() ? std::nullopt : bad();
    }
    return std::nullopt;
}

ConfigSchema::ConfigSchema() : m_fields(buildFields()) {}

const ConfigSchema& ConfigSchema::instance() {
    static const ConfigSchema schema;
    return schema;
}

const FieldSpec* ConfigSchema::find(const std::string& key) const {
    for (const auto& spec : m_fields)
        if (spec.key == key) return &spec;
    return nullptr;
}

std::vector<ConfigIssue> ConfigSchema::validate(const RunConfig& config) const {
    std::vector<ConfigIssue> issues;
    for (const auto& spec : m_fields) {
        if (auto problem = spec.check(spec.get(config))) issues.push_back({spec.key, *problem});
    }
    const auto& env = config.environment;
    const auto& training = config.training;
    if (env.kind == "amazon" && env.dataPath.empty()) {
        issues.push_back({"environment.data_path",
                          "required when environment.kind is \"amazon\": the path of an S3-Rec "
                          ".txt file, e.g. ../shared/data/amazon/Beauty.txt"});
    }
    if (training.stage == "sft" && config.model.kind != "transformer") {
        issues.push_back({"training.stage",
                          "sft trains the generative recommender: set model.kind to \"transformer\""});
    }
    if (training.stage == "sft" && env.kind != "amazon") {
        issues.push_back({"training.stage",
                          "sft needs logged sequences: set environment.kind to \"amazon\""});
    }
    if (training.stage == "rl" && env.kind == "amazon" && config.model.kind != "transformer") {
        issues.push_back({"model.kind", "RL on the Amazon data generates slates with the "
                                        "Transformer: set model.kind to \"transformer\""});
    }
    if (config.model.kind == "transformer" && config.model.embeddingDim % config.model.heads != 0) {
        issues.push_back({"model.heads", "got " + std::to_string(config.model.heads) +
                                             ", but it must divide model.embedding_dim (" +
                                             std::to_string(config.model.embeddingDim) + ")"});
    }
    if (env.kind == "synthetic" && training.slateLength > env.items) {
        issues.push_back({"training.slate_length",
                          "got " + std::to_string(training.slateLength) +
                              ", but a slate holds distinct items: at most environment.items (" +
                              std::to_string(env.items) + ")"});
    }
    if (env.kind == "synthetic" && env.categories > env.items) {
        issues.push_back({"environment.categories",
                          "got " + std::to_string(env.categories) +
                              ", expected at most environment.items (" + std::to_string(env.items) +
                              ")"});
    }
    const int64_t slates = static_cast<int64_t>(training.contexts) * training.groupSize;
    if (training.minibatches > slates) {
        issues.push_back({"training.minibatches",
                          "got " + std::to_string(training.minibatches) +
                              ", expected at most contexts × group_size (" +
                              std::to_string(slates) + ") so that no minibatch is empty"});
    }
    if (config.objective.kind == "sage" && config.objective.sageForm == "asym_clip" &&
        config.objective.asymEpsilon + config.objective.asymEntropyEpsilon >= 1.0) {
        issues.push_back({"objective.asym_entropy_epsilon",
                          "asym_epsilon + asym_entropy_epsilon must stay below 1, or the lower "
                          "clip 1 − ε − ε_H·(1 − Ĥ) reaches 0"});
    }
    if (config.objective.kind == "grpo" && config.objective.clipHigh <= 0.0 &&
        config.objective.clipLow <= 0.0) {
        issues.push_back({"objective.clip_high",
                          "clip_low and clip_high are both 0: every ratio would be clipped and "
                          "nothing would learn; use e.g. 0.2"});
    }
    return issues;
}

void ConfigSchema::applyAssignment(RunConfig& config, const std::string& assignment) const {
    const auto equals = assignment.find('=');
    if (equals == std::string::npos || equals == 0) {
        throw ConfigError(std::vector<ConfigIssue>{{assignment, "expected key=value, e.g. training.steps=100"}});
    }
    const std::string key = assignment.substr(0, equals);
    const std::string text = assignment.substr(equals + 1);
    const FieldSpec* spec = find(key);
    if (!spec) throw ConfigError(std::vector<ConfigIssue>{{key, "unknown key; known keys are listed by sage-train --keys"}});

    json value;
    try {
        size_t used = 0;
        switch (spec->kind) {
            case FieldKind::Integer: {
                const long long parsed = std::stoll(text, &used);
                value = used == text.size() ? json(parsed) : json(text);
                break;
            }
            case FieldKind::Real: {
                const double parsed = std::stod(text, &used);
                value = used == text.size() ? json(parsed) : json(text);
                break;
            }
            case FieldKind::Boolean:
                value = text == "true" || text == "1"    ? json(true)
                        : text == "false" || text == "0" ? json(false)
                                                         : json(text);
                break;
            default:
                value = text;
        }
    } catch (const std::exception&) {
        value = text;  // reported below as a value of the wrong kind
    }
    if (auto problem = spec->check(value)) throw ConfigError(std::vector<ConfigIssue>{{key, *problem}});
    spec->set(config, value);
}

}  // namespace sage
