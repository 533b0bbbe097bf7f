# chatbot-whatsapp : chaque minute, remise en file des échecs puis un passage
# d'envoi (au plus SEND_RATE_PER_MINUTE messages, étalés sur la minute) ;
# chaque nuit, une sauvegarde de la base (les 7 dernières sont gardées).
# Tout tourne sous www-data, comme les programmes FastCGI de lighttpd.
# Journaux : /var/log/chatbot-whatsapp/cron.log. Les tests « -x » évitent
# toute erreur entre la désinstallation et la purge du paquet.
SHELL=/bin/sh
PATH=/usr/sbin:/usr/bin:/sbin:/bin

* * * * *	www-data	[ -x /usr/libexec/chatbot-whatsapp/cbw-retry ] && /usr/libexec/chatbot-whatsapp/cbw-retry >>/var/log/chatbot-whatsapp/cron.log 2>&1; [ -x /usr/libexec/chatbot-whatsapp/cbw-sender ] && /usr/libexec/chatbot-whatsapp/cbw-sender >>/var/log/chatbot-whatsapp/cron.log 2>&1
17 3 * * *	www-data	[ -x /usr/sbin/chatbot-whatsapp-admin ] && chatbot-whatsapp-admin backup --dir /var/lib/chatbot-whatsapp/backups --keep 7 >/dev/null
