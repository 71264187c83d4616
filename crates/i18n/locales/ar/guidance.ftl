# Walking guidance, read out by the hotline and sent by text message (at most three SMS).
guidance-start = ابدأ من { $street }
guidance-straight = تابع على { $street }
guidance-slight-left = اتجه قليلا إلى اليسار نحو { $street }
guidance-slight-right = اتجه قليلا إلى اليمين نحو { $street }
guidance-left = انعطف يسارا إلى { $street }
guidance-right = انعطف يمينا إلى { $street }
guidance-turn-back = استدر للخلف إلى { $street }
guidance-arrive = وصلت إلى وجهتك
guidance-near = { $step } قرب { $landmark }
guidance-for = { $step }، { $distance }
guidance-sentence = { $step }.
guidance-metres = { $count } م
guidance-kilometres = { $count } كم
guidance-street = الشارع
guidance-footway = ممر المشاة
guidance-steps = الدرج
