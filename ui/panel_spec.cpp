#include "panel_spec.h"

#include <QCoreApplication>

namespace sage::ui {

namespace {

QString tr(const char* text) { return QCoreApplication::translate("PanelSpec", text); }

PanelSpec panel(const QString& title, QList<PanelCurve> curves, bool logY = false) {
    PanelSpec spec;
    spec.title = title;
    spec.curves = std::move(curves);
    spec.logY = logY;
    return spec;
}

PanelCurve curve(const QString& key) { return {key, {}, {}, {}}; }

QList<PanelCurve> evaluated(const QStringList& metrics) {
    QList<PanelCurve> curves;
    for (const QString& key : evaluatedKeys(metrics)) curves.append(curve(key));
    return curves;
}

}  // namespace

QStringList evaluatedKeys(const QStringList& metrics) {
    QStringList keys;
    for (const QString& m : metrics) keys << QStringLiteral("val/") + m << QStringLiteral("eval/") + m;
    return keys;
}

QList<PanelGroupSpec> defaultPanelGroups() {
    PanelSpec heat;
    heat.title = tr("Sequence log-ratio ρ (histogram over steps)");
    heat.histogramKey = QStringLiteral("hist/log_ratio");
    return {
        {QStringLiteral("ratios"),
         tr("Importance ratios"),
         {panel(tr("Slate ratio r (mean, p01–p99 band)"),
                {{QStringLiteral("ratio/seq_mean"), QStringLiteral("ratio/seq_p01"),
                  QStringLiteral("ratio/seq_p99"), {}},
                 curve(QStringLiteral("ratio/seq_p50"))}),
          panel(tr("Token ratio"),
                {curve(QStringLiteral("ratio/token_mean")), curve(QStringLiteral("ratio/token_max"))}),
          heat,
          panel(tr("Clip fractions"), {curve(QStringLiteral("clip_ratio/*"))}),
          panel(tr("Cap active fractions"), {curve(QStringLiteral("bound/*_active_frac"))}),
          panel(tr("Log-ratio and KL to the rollout policy"),
                {curve(QStringLiteral("log_ratio/mean")), curve(QStringLiteral("approx_kl_old"))})}},
        {QStringLiteral("bounds"),
         tr("Bound adaptation"),
         {panel(tr("Positive cap Γ⁺"), {curve(QStringLiteral("bound/pos_cap_mean"))}),
          panel(tr("Negative scale Λ"), {curve(QStringLiteral("bound/neg_scale_mean"))}),
          panel(tr("Negative cap Λ·p̄/(1−p̄)"), {curve(QStringLiteral("bound/neg_cap_mean"))}, true),
          panel(tr("Boost applied"), {curve(QStringLiteral("boost/applied_frac"))}),
          panel(tr("Gradient coefficients c"),
                {curve(QStringLiteral("coef/pos_mean")), curve(QStringLiteral("coef/neg_mean"))})}},
        {QStringLiteral("rewards"),
         tr("Reward components"),
         {panel(tr("Reward components (mean ± std)"),
                {{QStringLiteral("rewards/*/mean"), {}, {}, QStringLiteral("rewards/*/std")}}),
          panel(tr("Total reward (mean ± std)"),
                {{QStringLiteral("reward"), {}, {}, QStringLiteral("reward_std")}}),
          panel(tr("Advantages"),
                {curve(QStringLiteral("adv/mean")), curve(QStringLiteral("adv/std")),
                 curve(QStringLiteral("adv/min")), curve(QStringLiteral("adv/max"))}),
          panel(tr("Groups without signal"),
                {curve(QStringLiteral("adv/zero_std_groups"))})}},
        {QStringLiteral("diversity"),
         tr("Diversity and cold start"),
         {panel(tr("Slate entropy Ĥ"), {curve(QStringLiteral("slate/entropy_mean"))}),
          panel(tr("Entropy@10"), evaluated({QStringLiteral("entropy@10")})),
          panel(tr("Coverage@10 and Gini@10"),
                evaluated({QStringLiteral("coverage@10"), QStringLiteral("gini@10")})),
          panel(tr("Cold start: exposure@10 and recall@10"),
                evaluated({QStringLiteral("cold_exposure@10"), QStringLiteral("cold_recall@10")})),
          panel(tr("Accuracy: recall@10 and NDCG@10"),
                evaluated({QStringLiteral("recall@10"), QStringLiteral("ndcg@10")})),
          // The simulator's exact expectations (synthetic runs only): what the reward curves
          // estimate by sampling, for the policy's own greedy slate and top-10 list.
          panel(tr("Simulator: expected reward"), evaluated({QStringLiteral("expected_reward")})),
          panel(tr("Simulator: expected clicks@10 (all and cold)"),
                evaluated({QStringLiteral("expected_clicks@10"), QStringLiteral("expected_cold_clicks@10")}))}},
    };
}

}  // namespace sage::ui
