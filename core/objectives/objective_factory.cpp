#include "objectives/objective_factory.h"

#include <stdexcept>

#include "objectives/ecpo_objective.h"
#include "objectives/gbpo_objective.h"
#include "objectives/grpo_objective.h"
#include "objectives/gspo_objective.h"
#include "objectives/sage_objective.h"

namespace sage {
namespace {

RatioLevel ratioLevel(const std::string& text) {
    return text == "sequence" ? RatioLevel::Sequence : RatioLevel::Token;
}

SageObjective::Options sageOptions(const RunConfig::Objective& o) {
    SageObjective::Options s;
    s.boostEpsilon = o.boostEpsilon;
    s.kappa = o.kappa;
    s.penaltyShape = o.penaltyShape == "threshold" ? SageObjective::PenaltyShape::Threshold
                     : o.penaltyShape == "exp"     ? SageObjective::PenaltyShape::Exp
                                                   : SageObjective::PenaltyShape::Linear;
    s.penaltyTau = o.penaltyTau;
    s.form = o.sageForm == "asym_clip" ? SageObjective::Form::AsymClip : SageObjective::Form::GbpoBounds;
    s.boostForm = o.boostForm == "advantage" ? SageObjective::BoostForm::Advantage
                                             : SageObjective::BoostForm::Bound;
    s.clipEpsilon = o.asymEpsilon;
    s.entropyClipEpsilon = o.asymEntropyEpsilon;
    s.dualClipC = o.dualClipC;
    return s;
}

}  // namespace

std::unique_ptr<PolicyObjective> makeObjective(const RunConfig::Objective& o) {
    if (o.kind == "grpo")
        return std::make_unique<GrpoObjective>(
            GrpoObjective::Options{o.clipLow, o.clipHigh, o.dualClip, o.dualClipC});
    if (o.kind == "gspo") return std::make_unique<GspoObjective>(o.gspoClipLow, o.gspoClipHigh);
    if (o.kind == "ecpo")
        return std::make_unique<EcpoObjective>(o.ecpoEpsilon, o.ecpoDelta, ratioLevel(o.ratioLevel));
    if (o.kind == "gbpo") return std::make_unique<GbpoObjective>(ratioLevel(o.ratioLevel));
    if (o.kind == "sage") return std::make_unique<SageObjective>(sageOptions(o));
    throw std::invalid_argument("objective.kind \"" + o.kind +
                                "\" is unknown; expected sage, gbpo, gspo, grpo or ecpo");
}

std::string advantageEstimatorFor(const RunConfig::Objective& o) {
    if (o.advantage != "auto") return o.advantage;
    return o.kind == "sage" ? "decoupled" : "group";
}

}  // namespace sage
