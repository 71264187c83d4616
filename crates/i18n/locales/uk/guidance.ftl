# Walking guidance, read out by the hotline and sent by text message (at most three SMS).
guidance-start = Почніть з { $street }
guidance-straight = Продовжуйте по { $street }
guidance-slight-left = Тримайтеся лівіше на { $street }
guidance-slight-right = Тримайтеся правіше на { $street }
guidance-left = Поверніть ліворуч на { $street }
guidance-right = Поверніть праворуч на { $street }
guidance-turn-back = Розверніться на { $street }
guidance-arrive = Ви на місці
guidance-near = { $step } біля { $landmark }
guidance-for = { $step }, { $distance }
guidance-sentence = { $step }.
guidance-metres = { $count } м
guidance-kilometres = { $count } км
guidance-street = вулицю
guidance-footway = доріжку
guidance-steps = сходи
