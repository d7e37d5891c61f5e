#pragma once
// qcustomplot.h is written with Qt's `signals` and `foreach` keywords, which the project turns
// off (QT_NO_KEYWORDS: LibTorch uses `slots`). Include it through here to lend them briefly.
#ifndef signals
#define signals Q_SIGNALS
#define SAGE_LENT_SIGNALS
#endif
#ifndef foreach
#define foreach Q_FOREACH
#define SAGE_LENT_FOREACH
#endif

#include <qcustomplot.h>

#ifdef SAGE_LENT_SIGNALS
#undef signals
#undef SAGE_LENT_SIGNALS
#endif
#ifdef SAGE_LENT_FOREACH
#undef foreach
#undef SAGE_LENT_FOREACH
#endif
