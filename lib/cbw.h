/*
 * libcbw : en-tête public de la bibliothèque de chatbot-whatsapp. Inclut
 * chaque facette ; un programme peut aussi n'inclure que celles qu'il
 * utilise.
 */
#ifndef CBW_H
#define CBW_H

#include "err.h"
#include "buf.h"
#include "clock.h"
#include "config.h"
#include "log.h"
#include "db.h"
#include "migrate.h"
#include "crypto.h"
#include "jwt.h"
#include "valid.h"
#include "json.h"
#include "html.h"
#include "tmpl.h"
#include "http.h"
#include "route.h"
#include "auth.h"
#include "ratelimit.h"
#include "audit.h"
#include "user.h"
#include "stats.h"
#include "app.h"

#endif
