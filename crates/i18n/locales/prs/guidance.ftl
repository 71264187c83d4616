# Walking guidance, read out by the hotline and sent by text message (at most three SMS).
guidance-start = از { $street } شروع کنید
guidance-straight = در { $street } مستقیم بروید
guidance-slight-left = کمی به چپ به { $street } بروید
guidance-slight-right = کمی به راست به { $street } بروید
guidance-left = به چپ به { $street } بپیچید
guidance-right = به راست به { $street } بپیچید
guidance-turn-back = دور بزنید و به { $street } برگردید
guidance-arrive = به مقصد رسیدید
guidance-near = { $step } نزدیک { $landmark }
guidance-for = { $step }، { $distance }
guidance-sentence = { $step }.
guidance-metres = { $count } متر
guidance-kilometres = { $count } کیلومتر
guidance-street = سرک
guidance-footway = راه پیاده
guidance-steps = زینه
