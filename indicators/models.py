# The indicator framework, scoring and the 附件1 自评表 live in this app (see the indicators issue).
